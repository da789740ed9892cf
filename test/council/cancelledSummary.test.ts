import { listRuns } from '../../client/api/runRow';
import { startCouncil } from '../../client/api/council';
import { speakerOf } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';
import { waitFor } from '../helpers/wait';
import { council, expert } from './support';

/** How long Expert B holds its answer: long past the cancel. */
const HELD_MS = 20_000;

/** Requests as they arrive: the mock's journal records one only once answered. */
let asked = 0;

// A cancelled council's row in `council list` and the UI's list had no tokens, though its experts
// had answered and been paid for: only a completed council wrote its totals to its memo.
describe("a cancelled council's totals", () => {
  const bench = useMockHarness('council-cancelled-summary', (mock) => {
    mock.on({ predicate: () => true }, async (request) => {
      asked += 1;
      const speaker = speakerOf({ body: request }) ?? 'unknown';
      if (speaker === 'Expert B') await new Promise((resolve) => setTimeout(resolve, HELD_MS));
      return { content: `${speaker}: my answer`, usage: { prompt_tokens: 10, completion_tokens: 5 } };
    });
  });

  it('are in its list row: what the experts who answered before the cancel spent', async () => {
    const { client, taskQueue } = bench.harness;
    const councilId = await startCouncil(client, council('sequential', [expert('a'), expert('b')]), {
      taskQueue,
    });
    const handle = client.workflow.getHandle(councilId);
    await waitFor('Expert B to be asked', () => asked === 2, 30_000);
    await handle.cancel();
    await handle.result().catch(() => undefined);

    const rowOf = async () =>
      (await listRuns(client, { kind: 'council' })).runs.find((r) => r.id === councilId);
    await waitFor('the cancelled row', async () => (await rowOf())?.councilStatus === 'cancelled', 10_000);
    expect((await rowOf())?.tokens).toBe(15);
  });
});
