import type { LLMock } from '@copilotkit/aimock';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createLlmActivities } from '../../activities';
import { FailureType } from '../../common/failures';
import type { ScheduledPeriodBudget } from '../../common/periodBudget';
import type { SessionView } from '../../common/session';
import { answerAsParticipants, chatRequests, mockClients, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { waitFor } from '../helpers/wait';
import { ANSWER_USD, periodLedger, startPeriodRun } from '../helpers/periodRun';

/** Each answer comes after this long, so runs started together overlap. */
const LATENCY_MS = 1500;

describe("a schedule's period budget, shared by its runs (dev server, aimock)", () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;

  beforeAll(async () => {
    mock = await startMockLlm();
    answerAsParticipants(mock, LATENCY_MS);
    harness = await startHarness('period-budget', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });
  beforeEach(() => mock.clearRequests());

  const startRun = (periodBudget: ScheduledPeriodBudget, perRunUsd: number) =>
    startPeriodRun(harness, periodBudget, perRunUsd);
  const ledger = (scheduleId: string) => periodLedger(harness, scheduleId);

  it('the second run is granted only the remainder and refuses the call beyond it; a run returns what it did not spend', async () => {
    const periodBudget = { scheduleId: `period-${process.pid}-a`, period: 'day' as const, maxCostUsd: 0.075 };
    const first = (await (await startRun(periodBudget, 0.06)).result()) as SessionView;
    expect(first.budget).toMatchObject({
      limit: { maxCostUsd: 0.06 },
      spent: { usd: 0.05 },
      refusedCount: 0,
    });
    // Granted 0.06, spent 0.05: the 0.01 it did not spend went back.
    expect(await ledger(periodBudget.scheduleId)).toMatchObject({ committed: { usd: 0.05 }, running: 0 });

    const second = (await (await startRun(periodBudget, 0.06)).result()) as SessionView;
    expect(second.budget).toMatchObject({ limit: { maxCostUsd: 0.025 }, exhausted: true, refusedCount: 1 });
    expect(chatRequests(mock)).toHaveLength(1);
    expect(await ledger(periodBudget.scheduleId)).toMatchObject({
      committed: { usd: 0.05 },
      left: { maxCostUsd: 0.025 },
      running: 0,
    });
  });

  it('a run granted nothing ends at once, saying until when, and makes no call', async () => {
    const periodBudget = { scheduleId: `period-${process.pid}-b`, period: 'day' as const, maxCostUsd: 0.05 };
    await (await startRun(periodBudget, 0.05)).result();
    const refused = await (await startRun(periodBudget, 0.05)).result().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WorkflowFailedError);
    const cause = (refused as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.type).toBe(FailureType.BudgetExhausted);
    const tomorrow = new Date(Math.ceil(Date.now() / 86_400_000) * 86_400_000).toISOString();
    expect(cause.message).toBe(`the schedule's daily budget is spent until ${tomorrow}`);
    expect(chatRequests(mock)).toHaveLength(1);
  });

  it('overlapping runs never spend past the period budget together', async () => {
    const periodBudget = {
      scheduleId: `period-${process.pid}-c`,
      period: 'week' as const,
      maxCostUsd: 0.125,
    };
    const handles = await Promise.all([1, 2, 3, 4].map(() => startRun(periodBudget, ANSWER_USD)));
    const views = await Promise.all(handles.map((handle) => handle.result().catch(() => undefined)));
    const spent = views.reduce(
      (sum, view) => sum + ((view as SessionView | undefined)?.budget?.spent.usd ?? 0),
      0,
    );
    // The mock's journal, priced: every answer costs ANSWER_USD; 0.125 fits two of them.
    const served = chatRequests(mock).length;
    expect(served).toBeLessThanOrEqual(2);
    expect(served).toBeGreaterThanOrEqual(1);
    expect(spent).toBeCloseTo(served * ANSWER_USD, 9);
    expect((await ledger(periodBudget.scheduleId)).committed.usd).toBeCloseTo(served * ANSWER_USD, 9);
  });

  it('a run cancelled mid-call returns its grant, keeping only what the call held', async () => {
    const periodBudget = { scheduleId: `period-${process.pid}-d`, period: 'day' as const, maxCostUsd: 1 };
    const handle = await startRun(periodBudget, 0.06);
    await waitFor('the call to reach the mock', async () => chatRequests(mock).length === 1, 60_000, 50);
    await handle.cancel();
    await handle.result().catch(() => undefined);
    await waitFor(
      'the grant to come back',
      async () => (await ledger(periodBudget.scheduleId)).running === 0,
      60_000,
      100,
    );
    // Granted 0.06; the cancelled call may have been billed, so it is counted, the rest returned.
    expect((await ledger(periodBudget.scheduleId)).committed.usd).toBeCloseTo(ANSWER_USD, 9);
  });
});
