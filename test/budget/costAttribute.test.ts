import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { CouncilCostUsdKey } from '../../common/searchAttributes';
import { MultiParticipantSession } from '../../client/api/session';
import { mockClients, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { waitFor } from '../helpers/wait';
import { pricedMini } from '../helpers/pricedModels';

/** $1000 per million output tokens, input free: a 1000-token call's worst case is $1. */
const model = pricedMini;

describe('the CouncilCostUsd search attribute on the real dev server', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;

  beforeAll(async () => {
    mock = await startMockLlm();
    mock.on(
      { predicate: () => true },
      { content: 'answer', usage: { prompt_tokens: 5, completion_tokens: 3 } },
    );
    harness = await startHarness('budget-cost', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });

  it('is upserted when the spend changes, only then, and sessions can be listed by it', async () => {
    const session = await MultiParticipantSession.create(
      harness.client,
      {
        strategy: 'broadcast',
        budget: { maxCostUsd: 0.5, onExhausted: 'stop' },
        participants: [
          { name: 'A', role: 'panelist', model, maxOutputTokens: 1000, retry: { maximumAttempts: 1 } },
        ],
      },
      { taskQueue: harness.taskQueue },
    );
    const handle = harness.client.workflow.getHandle(session.sessionId);
    /** The values of CouncilCostUsd the workflow upserted, in order. */
    const costUpserts = async () => {
      const history = await handle.fetchHistory();
      return (history.events ?? []).flatMap((event) => {
        const fields = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
        const payload = fields?.[CouncilCostUsdKey.name];
        return payload?.data ? [Number(JSON.parse(Buffer.from(payload.data).toString('utf8')))] : [];
      });
    };

    // Refused: nothing spent, so nothing to publish.
    await session.sendMessage('user', 'First?');
    expect(await costUpserts()).toEqual([]);

    await session.raiseBudget({ toUsd: 1.5 });
    await session.sendMessage('user', 'Second?');
    await session.sendMessage('user', 'Third?');
    const spent = (await session.view()).budget?.spent.usd;
    // Two answers of 3 output tokens at $1000/MTok: one upsert per round that spent.
    expect(spent).toBeCloseTo(0.006, 9);
    expect(await costUpserts()).toEqual([0.003, spent]);
    expect((await handle.describe()).typedSearchAttributes.get(CouncilCostUsdKey)).toBe(spent);

    const listed = async (query: string) => {
      const ids: string[] = [];
      for await (const info of harness.client.workflow.list({ query })) ids.push(info.workflowId);
      return ids;
    };
    const mine = `WorkflowId = '${session.sessionId}'`;
    await waitFor('visibility to index CouncilCostUsd', async () => {
      return (await listed(`${mine} AND ${CouncilCostUsdKey.name} >= 0.005`)).length === 1;
    });
    expect(await listed(`${mine} AND ${CouncilCostUsdKey.name} >= 0.01`)).toEqual([]);
  });
});
