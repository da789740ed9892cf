import { listRuns } from '../../client/api/runRow';
import { startCouncil } from '../../client/api/council';
import { answerWithLatency, type Answerer } from '../durability/support/llm';
import { useMockHarness } from '../helpers/mockHarness';
import { waitFor } from '../helpers/wait';
import { council, expert } from './support';

/** Expert B's call is held until the mock stops: in flight at the cancel. */
let answerer: Answerer;

// A cancelled council's row in `council list` and the UI's list had no tokens, though its experts
// had answered and been paid for: only a completed council wrote its totals to its memo.
describe("a cancelled council's totals", () => {
  const bench = useMockHarness('council-cancelled-summary', (mock) => {
    answerer = answerWithLatency(mock, 0, (speaker) => speaker === 'Expert B');
  });

  it('are in its list row: what the experts who answered before the cancel spent', async () => {
    const { client, taskQueue } = bench.harness;
    const councilId = await startCouncil(client, council('sequential', [expert('a'), expert('b')]), {
      taskQueue,
    });
    const handle = client.workflow.getHandle(councilId);
    await waitFor('Expert B to be asked', () => answerer.held.length === 1, 30_000);
    await handle.cancel();
    await handle.result().catch(() => undefined);

    const rowOf = async () =>
      (await listRuns(client, { kind: 'council' })).runs.find((r) => r.id === councilId);
    await waitFor('the cancelled row', async () => (await rowOf())?.councilStatus === 'cancelled', 10_000);
    expect((await rowOf())?.tokens).toBe(15);
  });
});
