import { useParticipantMock } from '../helpers/mockLlm';
import {
  clusterEnv,
  expectSuccess,
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
  // Each answer takes 5 s: the close comes while the round is being played.
  const llm = useParticipantMock(5_000);

  it('closes the session after the round in play, which ends answered; the session completes', async () => {
    const env = clusterEnv('session-close', mockProviderEnv(llm.mock));
    const id = `cli-close-${process.pid}`;
    const config = writeConfig('close.yaml', panelConfig());
    expectSuccess(await runCli(['session', 'start', '-c', config, '--id', id, '--worker'], env));
    const round = startCli(['send', id, 'One question', '--worker'], env);
    await waitFor('the round to be played', () => round.output.stdout.includes('Expert-2: thinking'), {
      process: round,
      timeoutMs: 60_000,
    });

    const closed = await runCli(['session', 'close', id, '--worker'], env);
    expectSuccess(closed);
    expect(closed.stdout).toContain(`Session ${id} closes after 1 round(s) in play`);
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
