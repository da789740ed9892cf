import type { WorkflowHandle } from '@temporalio/client';
import { validateConfig } from '../../client/api/config';
import { budgetKeeperId, periodLedgerQuery, type PeriodLedgerView } from '../../common/budgetKeeperApi';
import type { ScheduledPeriodBudget } from '../../common/periodBudget';
import type { TemporalTestHarness } from './testEnv';
import type { sessionWorkflow } from '../../workflows';

/**
 * Output at $0.01 a token, input free: aimock's answers (10 in / 5 out) cost exactly $0.05, and a
 * call with maxOutputTokens 5 reserves exactly that, so every sum in the period tests is whole calls.
 */
export const PERIOD_PRICE = { inputPerMTok: 0, outputPerMTok: 10_000 };
export const ANSWER_USD = 0.05;

let runs = 0;

/**
 * Starts one run the way a schedule's action does: a one-shot session of one participant, A, under
 * a per-run budget of `perRunUsd`, carrying the period budget.
 */
export function startPeriodRun(
  harness: TemporalTestHarness,
  periodBudget: ScheduledPeriodBudget,
  perRunUsd: number,
): Promise<WorkflowHandle<typeof sessionWorkflow>> {
  const config = validateConfig({
    strategy: 'broadcast',
    budget: { maxCostUsd: perRunUsd },
    participants: [
      {
        name: 'A',
        role: 'panelist',
        model: { provider: 'openai', model: 'gpt-4o-mini', price: PERIOD_PRICE },
        maxOutputTokens: 5,
        retry: { maximumAttempts: 1 },
      },
    ],
  });
  if (config.kind !== 'session') throw new Error('a session config');
  runs += 1;
  return harness.client.workflow.start<typeof sessionWorkflow>('sessionWorkflow', {
    workflowId: `${periodBudget.scheduleId}-run-${runs}`,
    taskQueue: harness.taskQueue,
    args: [{ config: config.session, oneShot: { role: 'user', content: 'Daily?' }, periodBudget }],
  });
}

/** The period's ledger, as the schedule's keeper answers it. */
export function periodLedger(harness: TemporalTestHarness, scheduleId: string): Promise<PeriodLedgerView> {
  return harness.client.workflow.getHandle(budgetKeeperId(scheduleId)).query(periodLedgerQuery);
}
