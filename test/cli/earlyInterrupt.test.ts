import { waitFor as waitUntil } from '../helpers/wait';
import {
  cliEnv,
  councilConfig,
  runCli,
  serverProcesses,
  startCli,
  stopStartedClis,
  waitFor,
  writeConfig,
} from './cli';

// A fresh data dir: the embedded server boots for a second or more after "Starting…".
jest.setTimeout(240_000);
afterAll(stopStartedClis);

// Ctrl-C while `run` loaded the SDK and booted the embedded server (after its "Starting…" line)
// killed the process with no word: the README promises a line saying that nothing runs.
describe('Ctrl-C while run starts up', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s says that nothing runs, exits %i, and leaves no server behind', async (signal, code) => {
    const env = cliEnv();
    const id = `early-${signal.toLowerCase()}-${process.pid}`;
    const run = startCli(['run', '-c', writeConfig('council.json', councilConfig()), '--id', id], env);
    await waitFor('the starting line', () => run.output.stdout.includes(`Starting council ${id}…`), {
      process: run,
    });
    run.child.kill(signal);
    const ended = await run.done;
    expect({ code: ended.code, stderr: ended.stderr }).toEqual({ code, stderr: '' });
    expect(ended.stdout).toContain(
      `\nInterrupted before council ${id} started: nothing runs. Run the command again.\n`,
    );
    expect(ended.stdout).not.toContain('Started council');

    const dataDir = env.COUNCIL_DATA_DIR ?? '';
    await waitUntil('no server left on the data dir', () => serverProcesses(dataDir).length === 0, 20_000);
    const shown = await runCli(['show', id], env);
    expect(shown.code).toBe(1);
    expect(shown.stderr).toContain(id);
  });
});
