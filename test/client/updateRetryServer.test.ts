import { sendHumanMessage } from '../../client/api/council';
import { CouncilUserError } from '../../common/userError';
import { UPDATE_ATTEMPTS } from '../../client/api/updateRetry';
import { useMockHarness } from '../helpers/mockHarness';
import { startHandPolledRun } from './support/handPolledRun';

// The server's own rejection "wasn't processed by worker", on the dev server. The SDK's worker always
// answers an update it was given (it rejects one it has no handler for), so this test polls the
// run's workflow tasks itself, through the server's API, and completes each without answering the
// update in it, as a worker shutting down does: the server then rejects the update as UnprocessedUpdate.

describe('a council update the server rejected as unprocessed by a worker', () => {
  const bench = useMockHarness('update-unprocessed', () => undefined);

  it('is asked again under the same id, then fails saying why', async () => {
    const run = await startHandPolledRun(bench.harness.client, 'unprocessed');
    const { client, handle, sent } = run;
    // Every task it is given (the start's, one per attempt of the update), completed with nothing in it.
    run.poll('a worker that answers no update', 3 * (UPDATE_ATTEMPTS + 1), (_task, respond) => respond());

    const error: unknown = await sendHumanMessage(client, handle.workflowId, { content: 'Hello?' }).catch(
      (e: unknown) => e,
    );
    await run.finish();
    expect(sent).toHaveLength(UPDATE_ATTEMPTS);
    expect(new Set(sent).size).toBe(1);
    expect(error).toBeInstanceOf(CouncilUserError);
    expect((error as Error).message).toContain("wasn't processed by worker");
  });
});
