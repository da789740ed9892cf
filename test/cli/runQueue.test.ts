import { freePort } from '../../client/runtime/freePort';
import { useParticipantMock } from '../helpers/mockLlm';
import {
  cliEnv,
  expectSuccess,
  mockProviderEnv,
  panelConfig,
  runCli,
  startCli,
  stopStartedClis,
  waitFor,
  writeConfig,
} from './cli';

// Spawns the CLI three times against an embedded server of its own: a minute or more on a busy machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

describe('council run beside `council server --worker`', () => {
  const llm = useParticipantMock();

  it("a run or session with its own keys is served only by its own workers, not the server's key-less one", async () => {
    const env = cliEnv();
    const [port, uiPort] = [String(await freePort()), String(await freePort())];
    const server = startCli(['server', '--port', port, '--ui-port', uiPort, '--worker'], env);
    await waitFor(
      'the server worker to poll',
      () => /polling task queue "council"/.test(server.output.stdout),
      {
        process: server,
      },
    );

    const config = writeConfig('panel.yaml', panelConfig());
    const run = await runCli(['run', 'Who serves this?', '-c', config], {
      ...env,
      ...mockProviderEnv(llm.mock),
    });
    expectSuccess(run);
    const id = /Started session (\S+) /.exec(run.stdout)?.[1] ?? '';
    expect(run.stdout).toContain(`task queue council-${id}`);
    expect(run.stdout).not.toContain('ProviderKeyMissing');

    const shown = await runCli(['show', id, '--json'], env);
    expectSuccess(shown);
    const served = [...shown.stdout.matchAll(/"servedBy": "([^"]+)"/g)].map((match) => match[1]);
    expect(served.length).toBeGreaterThanOrEqual(2);
    expect(new Set(served).size).toBe(1);

    // A session started with `session start` too: the server's worker, without the keys, took its
    // calls, and every answer failed with ProviderKeyMissing.
    const keyed = { ...env, ...mockProviderEnv(llm.mock) };
    const sessionId = `run-queue-session-${process.pid}`;
    const started = await runCli(['session', 'start', '-c', config, '--id', sessionId], keyed);
    expectSuccess(started);
    expect(started.stdout).toContain(`on task queue council-${sessionId}`);
    const sent = await runCli(['send', sessionId, 'Who serves this one?', '--json'], keyed);
    expectSuccess(sent);
    const round = JSON.parse(sent.stdout) as { responses: Array<{ status: string; error?: unknown }> };
    expect(round.responses.map((response) => response.status)).toEqual(['ok', 'ok']);

    server.child.kill('SIGINT');
    expect((await server.done).code).toBe(0);
  });
});
