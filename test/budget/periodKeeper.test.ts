import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import {
  budgetKeeperId,
  requestGrantUpdate,
  returnGrantSignal,
  type KeeperState,
} from '../../common/budgetKeeperApi';
import { periodStartOf, type PeriodBudget } from '../../common/periodBudget';
import type { SessionView } from '../../common/session';
import { answerAsParticipants, chatRequests, mockClients, startMockLlm } from '../helpers/mockLlm';
import { ANSWER_USD, periodLedger, startPeriodRun } from '../helpers/periodRun';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { waitFor } from '../helpers/wait';
import type { budgetKeeperWorkflow } from '../../workflows';

const DAY_MS = 86_400_000;
/** Messages one keeper run handles before it continues-as-new (MAX_MESSAGES_PER_RUN in the keeper). */
const MESSAGES_PER_RUN = 500;

describe("a schedule's budget keeper: its period's end and its continue-as-new (dev server, aimock)", () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;

  beforeAll(async () => {
    mock = await startMockLlm();
    answerAsParticipants(mock);
    harness = await startHarness('period-keeper', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });
  beforeEach(() => mock.clearRequests());

  function startKeeper(scheduleId: string, budget: PeriodBudget, state?: KeeperState) {
    return harness.client.workflow.start<typeof budgetKeeperWorkflow>('budgetKeeperWorkflow', {
      workflowId: budgetKeeperId(scheduleId),
      taskQueue: harness.taskQueue,
      args: [{ budget, ...(state && { state }) }],
    });
  }

  // Periods are UTC days or weeks, too long to wait for: the keeper starts from the state it would
  // carry out of yesterday, spent in full, with a run still holding a grant.
  it('a new period starts with a fresh allowance: yesterday spent in full leaves today untouched', async () => {
    const scheduleId = `keeper-${process.pid}-period`;
    const budget = { period: 'day' as const, maxCostUsd: 0.075 };
    const today = periodStartOf(Date.now(), 'day');
    await startKeeper(scheduleId, budget, {
      budget,
      periodStart: today - DAY_MS,
      committed: { tokens: 0, usd: 0.075 },
      grants: { 'yesterday-run': { tokens: 0, usd: 0.025 } },
    });
    await waitFor(
      "the keeper to roll into today's period",
      async () => (await periodLedger(harness, scheduleId)).periodStart === new Date(today).toISOString(),
      60_000,
      100,
    );
    expect(await periodLedger(harness, scheduleId)).toMatchObject({
      committed: { tokens: 0, usd: 0 },
      left: { maxCostUsd: 0.075 },
      running: 0,
    });
    // Today's first run is granted its whole own budget and spends it as usual.
    const view = (await (
      await startPeriodRun(harness, { ...budget, scheduleId }, 0.06)
    ).result()) as SessionView;
    expect(view.budget).toMatchObject({ limit: { maxCostUsd: 0.06 }, exhausted: false });
    expect(chatRequests(mock)).toHaveLength(1);
    expect((await periodLedger(harness, scheduleId)).committed.usd).toBeCloseTo(ANSWER_USD, 9);
  });

  it('keeps its ledger across continue-as-new: grants held and committed spend survive it', async () => {
    const scheduleId = `keeper-${process.pid}-continue`;
    const budget = { period: 'week' as const, maxCostUsd: 0.1 };
    const keeper = await startKeeper(scheduleId, budget);
    const first = keeper.firstExecutionRunId;
    const granted = await keeper.executeUpdate(requestGrantUpdate, {
      args: [{ runId: 'holder', want: { maxCostUsd: 0.04 } }],
    });
    expect(granted).toMatchObject({ limits: { maxCostUsd: 0.04 }, empty: false });
    // Returns of runs the keeper does not know count as messages and change nothing: enough of them
    // make it continue-as-new. Sent in bounded batches.
    for (let sent = 0; sent < MESSAGES_PER_RUN; sent += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          keeper.signal(returnGrantSignal, { runId: `unknown-${sent + i}`, spent: { tokens: 0, usd: 0 } }),
        ),
      );
    }
    const handle = harness.client.workflow.getHandle(budgetKeeperId(scheduleId));
    await waitFor(
      'the keeper to continue-as-new',
      async () => (await handle.describe()).runId !== first,
      60_000,
      200,
    );
    expect(await periodLedger(harness, scheduleId)).toMatchObject({ committed: { usd: 0.04 }, running: 1 });
    // The new run still knows the holder (asking again is the same grant) and counts its grant.
    const again = await handle.executeUpdate(requestGrantUpdate, {
      args: [{ runId: 'holder', want: { maxCostUsd: 0.04 } }],
    });
    expect(again.limits).toEqual({ maxCostUsd: 0.04 });
    const other = await handle.executeUpdate(requestGrantUpdate, {
      args: [{ runId: 'other', want: { maxCostUsd: 0.1 } }],
    });
    expect(other.limits.maxCostUsd).toBeCloseTo(0.06, 9);
    await handle.signal(returnGrantSignal, { runId: 'holder', spent: { tokens: 0, usd: 0.01 } });
    await waitFor(
      "the holder's return to be taken",
      async () => (await periodLedger(harness, scheduleId)).running === 1,
      60_000,
      100,
    );
    expect((await periodLedger(harness, scheduleId)).committed.usd).toBeCloseTo(0.07, 9);
    await handle.terminate('test over');
  });
});
