import {
  ApplicationFailure,
  CancellationScope,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { LlmActivities } from '../../activities';
import { addAmount, emptyLedger, type Budget, type LedgerState } from '../../common/budget';
import { budgetKeeperId, returnGrantSignal } from '../../common/budgetKeeperApi';
import { FailureType, NON_RETRYABLE_FAILURE_TYPES } from '../../common/failures';
import type { ScheduledPeriodBudget } from '../../common/periodBudget';

/**
 * Patch id of a scheduled run's grant from its schedule's period budget. Only inputs that carry a
 * `periodBudget` reach it, and none did before it existed.
 */
export const PERIOD_BUDGET_PATCH = 'schedule-period-budget';

const { requestPeriodGrant } = proxyActivities<LlmActivities>({
  startToCloseTimeout: '30s',
  summary: 'period budget grant',
  retry: { maximumAttempts: 10, nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES] },
});

/** A grant taken: `settle` hands back what the run did not spend, whatever way the run ends. */
export interface TakenGrant {
  settle(): Promise<void>;
}

/** The run that asks: its own budget (the grant replaces its limits in place) and its ledger. */
export interface GrantTaker {
  kind: 'session' | 'council';
  /** The object the run's budget gate reads its limits from. */
  budget: Budget | undefined;
  /** The run's ledger when it ends; none when it made no call. */
  ledger(): LedgerState | undefined;
}

/**
 * Asks the schedule's keeper for this run's grant and makes it the run's budget, so the budget gate
 * reserves against it before every call. A grant of nothing ends the run at once, before any call.
 * Sessions and councils take it the same way: one activity, one signal back.
 */
export async function takePeriodGrant(
  taker: GrantTaker,
  periodBudget: ScheduledPeriodBudget,
): Promise<TakenGrant> {
  const { budget } = taker;
  // The config check (client/api/config.ts) requires a per-run budget; a hand-made input may lack one.
  if (!budget) throw refusal(`a periodBudget needs a per-run budget in the ${taker.kind} config`, false);
  const runId = workflowInfo().workflowId;
  const grant = await requestPeriodGrant({
    runId,
    periodBudget,
    want: {
      ...(budget.maxTokens !== undefined ? { maxTokens: budget.maxTokens } : {}),
      ...(budget.maxCostUsd !== undefined ? { maxCostUsd: budget.maxCostUsd } : {}),
    },
  });
  const settle = async () => {
    const ledger = taker.ledger() ?? emptyLedger();
    // Calls cut short still hold their reservation: counted as spent, never less than was billed.
    const spent = addAmount(ledger.spent, ledger.reserved);
    // Runs even when the run is cancelled; a keeper gone (terminated) loses only this return.
    await CancellationScope.nonCancellable(async () => {
      try {
        await getExternalWorkflowHandle(budgetKeeperId(periodBudget.scheduleId)).signal(returnGrantSignal, {
          runId,
          spent,
        });
      } catch (error) {
        log.warn('could not return the unspent grant to the budget keeper', { error: String(error) });
      }
    });
  };
  if (grant.empty) {
    await settle();
    throw refusal(
      `the schedule's ${periodBudget.period === 'day' ? 'daily' : 'weekly'} budget is spent until ${grant.periodEnd}`,
      true,
    );
  }
  Object.assign(budget, grant.limits);
  return { settle };
}

function refusal(message: string, spent: boolean): ApplicationFailure {
  return ApplicationFailure.create({
    type: spent ? FailureType.BudgetExhausted : FailureType.InvalidRequest,
    message,
    nonRetryable: true,
  });
}
