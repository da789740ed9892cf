import { CouncilStatusKey } from '../../common/searchAttributes';
import { startHeldCliRun } from './support/cliRun';
import { useDurableEnvironment } from './support/environment';
import { completedCalls } from './support/llm';
import { waitFor } from './support/processes';

const QUESTION = 'Which risks matter most?';

describe('the CLI SIGKILLed while it waits for a run, and nobody attaches', () => {
  // The calls are held at the model until the test lets them answer: in flight for as long as needed.
  const environment = useDurableEnvironment({ latencyMs: 200, hold: () => true });

  it('the session still closes itself once its round ends', async () => {
    const { mock, answerer, client } = environment;
    const id = 'durability-cli-run-close';
    const { run } = await startHeldCliRun(environment, {
      taskQueue: 'durability-cli-kill-close',
      id,
      question: QUESTION,
      dataDirPrefix: 'council-durability-cli-close-',
    });
    await run.kill();
    expect((await run.exited).signal).toBe('SIGKILL');
    expect(completedCalls(mock)).toHaveLength(0);

    answerer.release();
    const handle = client.workflow.getHandle(id);
    // No CLI is left to close it: the workflow ends by itself when the round does.
    await waitFor(
      'the session to complete',
      async () => (await handle.describe()).status.name !== 'RUNNING',
      30_000,
    );
    const description = await handle.describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.typedSearchAttributes.get(CouncilStatusKey)).toBe('closed');
    const view = (await handle.result()) as { round: number; closed: boolean };
    expect(view).toMatchObject({ round: 1, closed: true });
    expect(
      completedCalls(mock)
        .map((call) => call.speaker)
        .sort(),
    ).toEqual(['P1', 'P2']);
  }, 180_000);
});
