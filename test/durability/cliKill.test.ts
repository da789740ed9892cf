import { startHeldCliRun } from './support/cliRun';
import { useDurableEnvironment } from './support/environment';
import { completedCalls } from './support/llm';
import { spawnManaged, waitFor } from './support/processes';

const QUESTION = 'Which risks matter most?';

describe('the CLI SIGKILLed while it waits for a run', () => {
  // The calls are held at the model until the test lets them answer: in flight for as long as needed.
  const environment = useDurableEnvironment({ latencyMs: 1000, hold: () => true });

  it('`council session attach` picks the run up and prints its result; nothing is asked twice', async () => {
    const { mock, answerer, client } = environment;
    const id = 'durability-cli-run';
    const { run, env } = await startHeldCliRun(environment, {
      taskQueue: 'durability-cli-kill',
      id,
      question: QUESTION,
      dataDirPrefix: 'council-durability-cli-',
    });
    const handle = client.workflow.getHandle(id);
    await run.kill();
    const killedAt = Date.now();
    expect((await run.exited).signal).toBe('SIGKILL');
    expect(completedCalls(mock)).toHaveLength(0);

    const attach = spawnManaged(
      'council session attach',
      ['client/cli/main.ts', 'session', 'attach', id],
      env,
    );
    // Attached while the round is still in flight, it follows the round to its end.
    await waitFor('attach to attach', () => attach.stdout().includes(`Attached to session ${id}`), 60_000);
    expect(completedCalls(mock)).toHaveLength(0);
    const attachedAt = Date.now();
    answerer.release();
    const { code } = await attach.exited;
    console.log(
      `cli kill: \`session attach\` started ${attach.spawnedAt - killedAt} ms after the kill, attached ` +
        `${attachedAt - attach.spawnedAt} ms later, and exited ${Date.now() - attachedAt} ms after the ` +
        `held answers were let through`,
    );
    expect({ code, output: attach.output() }).toEqual({ code: 0, output: expect.any(String) });
    const out = attach.stdout();
    expect(out).toContain(`Attached to session ${id}`);
    expect(out).toMatch(/P1: answer \d/);
    expect(out).toMatch(/P2: answer \d/);
    expect(out).toMatch(/│ Total\s+│\s+│\s+│\s+20 │\s+10 │\s+30 │/);
    // The question was asked once: one call per participant, one round in the workflow.
    expect(
      completedCalls(mock)
        .map((call) => [call.speaker, call.message])
        .sort(),
    ).toEqual([
      ['P1', QUESTION],
      ['P2', QUESTION],
    ]);
    const history = await handle.fetchHistory();
    const accepted = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    const names = accepted.map(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name,
    );
    // One round, asked once; the session closed itself after it (no closeSession update needed).
    expect(names).toEqual(['sendMessage']);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  }, 180_000);
});
