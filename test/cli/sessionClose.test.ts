import type { LLMock } from '@copilotkit/aimock';
import { startMockLlm } from '../helpers/mockLlm';
import {
  clusterEnv,
  expectSuccess,
  holdAnswers,
  mockProviderEnv,
  panelConfig,
  runCli,
  startCli,
  stopStartedClis,
  waitFor,
  writeConfig,
} from './cli';

// Each step spawns the CLI with a worker of its own: minutes on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

// A session started with `session start` could only end by `council cancel`, which marks it
// cancelled and cuts its calls short: the library's close() had no command, and a session someone
// had finished with stayed `running` in every list.
describe('council session close', () => {
  let gated: LLMock;
  beforeAll(async () => {
    gated = await startMockLlm();
  });
  afterAll(async () => {
    await gated?.stop();
  });

  it('closes the session after the round in play, which ends answered; the session completes', async () => {
    // The round's calls are held until the close has said that it waits for them.
    const { seen, open } = holdAnswers(gated);
    const env = clusterEnv('session-close', mockProviderEnv(gated));
    const id = `cli-close-${process.pid}`;
    const config = writeConfig('close.yaml', panelConfig());
    expectSuccess(await runCli(['session', 'start', '-c', config, '--id', id, '--worker'], env));
    const round = startCli(['send', id, 'One question', '--worker'], env);
    await waitFor('both calls held', () => seen.length >= 2, { process: round, timeoutMs: 60_000 });

    const closing = startCli(['session', 'close', id, '--worker'], env);
    const waits = `Session ${id} closes after 1 round(s) in play`;
    await waitFor('the close to wait for the round', () => closing.output.stdout.includes(waits), {
      process: closing,
      timeoutMs: 60_000,
    });
    open();
    const closed = await closing.done;
    expectSuccess(closed);
    expect(closed.stdout).toMatch(new RegExp(`Closed session ${id} after 1 round\\(s\\), [1-9]\\d* tokens`));
    // Exit code 0: every participant answered, none was cut short by the close.
    const played = await round.done;
    expectSuccess(played);
    expect(played.stdout).toContain('Expert-1: answer');
    expect(played.stdout).toContain('Expert-2: answer');

    const listed = await runCli(['list', '--kind', 'session', '--json', '--limit', '200'], env);
    expectSuccess(listed);
    const rows = (JSON.parse(listed.stdout) as { items: Array<Record<string, unknown>> }).items;
    expect(rows.find((row) => row.id === id)).toMatchObject({
      councilStatus: 'closed',
      workflowStatus: 'completed',
    });

    const again = await runCli(['session', 'close', id, '--worker'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`session "${id}" is closed (completed)`);
    expect(again.stderr).toContain(`it has nothing to close: see \`council show ${id}\``);
  });
});
