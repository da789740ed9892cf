import type { LLMock } from '@copilotkit/aimock';
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { createLlmActivities } from '../../activities';
import { budgetKeeperId, requestGrantUpdate } from '../../common/budgetKeeperApi';
import { COUNCIL_SCHEMA_VERSION } from '../../common/council';
import { FailureType } from '../../common/failures';
import type { ScheduledPeriodBudget } from '../../common/periodBudget';
import { holdAnswers } from '../cli/cli';
import { mockClients, startMockLlm } from '../helpers/mockLlm';
import { ANSWER_USD, PERIOD_PRICE, periodLedger } from '../helpers/periodRun';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { waitFor } from '../helpers/wait';
import type { budgetKeeperWorkflow, councilWorkflow } from '../../workflows';

describe("a scheduled council's grant from its period budget (dev server, aimock)", () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;
  let answers: ReturnType<typeof holdAnswers>;

  beforeAll(async () => {
    mock = await startMockLlm();
    // Every answer waits until the test lets it go: a council can be cancelled mid-call.
    answers = holdAnswers(mock);
    harness = await startHarness('period-council-run', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    answers?.open();
    await harness?.close();
    await mock?.stop();
  });

  /** One council run as its schedule starts it: Ada and the synthesis, $0.05 a call, $0.11 a run. */
  function startCouncil(periodBudget: ScheduledPeriodBudget, id: string) {
    const bounded = {
      model: { provider: 'openai' as const, model: 'gpt-4o-mini', price: PERIOD_PRICE },
      maxOutputTokens: 5,
      retry: { maximumAttempts: 1 },
    };
    const context = {
      task: 'Daily?',
      mode: 'parallel' as const,
      activeExperts: [{ id: 'a', name: 'Ada', ...bounded }],
      synthesisConfig: { name: 'Synthesizer', ...bounded },
      budget: { maxCostUsd: 0.11 },
    };
    return harness.client.workflow.start<typeof councilWorkflow>('councilWorkflow', {
      workflowId: `${periodBudget.scheduleId}-${id}`,
      taskQueue: harness.taskQueue,
      args: [{ schemaVersion: COUNCIL_SCHEMA_VERSION, context, periodBudget }],
    });
  }

  it('a council cancelled mid-call returns its grant, keeping only what the call held', async () => {
    const periodBudget = {
      scheduleId: `period-council-${process.pid}-a`,
      period: 'day' as const,
      maxCostUsd: 1,
    };
    const handle = await startCouncil(periodBudget, 'cancelled');
    await waitFor("Ada's call to reach the mock", async () => answers.seen.length === 1, 60_000, 50);
    expect(await periodLedger(harness, periodBudget.scheduleId)).toMatchObject({ running: 1 });
    await handle.cancel();
    await handle.result().catch(() => undefined);
    await waitFor(
      'the grant to come back',
      async () => (await periodLedger(harness, periodBudget.scheduleId)).running === 0,
      60_000,
      100,
    );
    // Granted $0.11; the cancelled call may have been billed, so its $0.05 counts, the rest came back.
    expect((await periodLedger(harness, periodBudget.scheduleId)).committed.usd).toBeCloseTo(ANSWER_USD, 9);
  });

  it('a council granted nothing fails at once, saying until when, and makes no call', async () => {
    const periodBudget = {
      scheduleId: `period-council-${process.pid}-b`,
      period: 'week' as const,
      maxCostUsd: 0.04,
    };
    const { scheduleId, ...budget } = periodBudget;
    // Another run holds all the week has.
    const keeper = await harness.client.workflow.start<typeof budgetKeeperWorkflow>('budgetKeeperWorkflow', {
      workflowId: budgetKeeperId(scheduleId),
      taskQueue: harness.taskQueue,
      args: [{ budget }],
    });
    await keeper.executeUpdate(requestGrantUpdate, { args: [{ runId: 'holder', want: { maxCostUsd: 1 } }] });
    const calls = answers.seen.length;
    const first = await startCouncil(periodBudget, 'refused');
    const refused = await first.result().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WorkflowFailedError);
    const cause = (refused as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe(FailureType.BudgetExhausted);
    expect(cause.message).toMatch(
      /^the schedule's weekly budget is spent until \d{4}-\d\d-\d\dT00:00:00.000Z$/,
    );
    expect(answers.seen).toHaveLength(calls);
    expect(await periodLedger(harness, scheduleId)).toMatchObject({ committed: { usd: 0.04 }, running: 1 });
    await keeper.terminate('test over');
  });
});
