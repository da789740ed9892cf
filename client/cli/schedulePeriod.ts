import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { budgetKeeperId, periodLedgerQuery, type PeriodLedgerView } from '../../common/budgetKeeperApi';
import { ZERO_AMOUNT } from '../../common/budget';
import {
  periodBudgetSchema,
  periodEndOf,
  periodLeft,
  periodStartOf,
  type Period,
  type PeriodBudget,
} from '../../common/periodBudget';

/** What `schedule describe` shows of a schedule's period budget. */
export type PeriodSpend = Omit<PeriodLedgerView, 'budget'> & {
  limit: Omit<PeriodBudget, 'period'>;
  period: Period;
};

/**
 * The period budget of a schedule (kept in its memo) with what the current period committed and has
 * left, read from the schedule's keeper. No keeper running means no run asked yet this period.
 */
export async function periodSpend(
  client: Client,
  scheduleId: string,
  memo: unknown,
): Promise<PeriodSpend | null> {
  const parsed = periodBudgetSchema.safeParse((memo as { periodBudget?: unknown } | undefined)?.periodBudget);
  if (!parsed.success) return null;
  const { period, ...limit } = parsed.data;
  const view = await keeperView(client, scheduleId);
  const now = Date.now();
  const fresh = !view || Date.parse(view.periodEnd) <= now;
  const start = periodStartOf(now, period);
  const rest: Omit<PeriodLedgerView, 'budget'> = fresh
    ? {
        periodStart: new Date(start).toISOString(),
        periodEnd: new Date(periodEndOf(start, period)).toISOString(),
        committed: { ...ZERO_AMOUNT },
        left: periodLeft(parsed.data, ZERO_AMOUNT),
        running: 0,
      }
    : {
        periodStart: view.periodStart,
        periodEnd: view.periodEnd,
        committed: view.committed,
        left: view.left,
        running: view.running,
      };
  return { period, limit, ...rest };
}

/**
 * Ends the budget keeper of `scheduleId` if one runs that started before `before` (default: now):
 * its ledger belongs to a schedule deleted since, and a new schedule under the same id would
 * otherwise be granted from it, under its old limits. A run of the old schedule still going loses
 * only the return of what it did not spend (workflows/shared/periodGrant.ts).
 */
export async function retireKeeper(client: Client, scheduleId: string, reason: string, before?: Date) {
  const handle = client.workflow.getHandle(budgetKeeperId(scheduleId));
  try {
    const { status, startTime } = await handle.describe();
    if (status.name !== 'RUNNING' || (before && startTime >= before)) return;
    await handle.terminate(reason);
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
}

async function keeperView(client: Client, scheduleId: string): Promise<PeriodLedgerView | undefined> {
  const handle = client.workflow.getHandle(budgetKeeperId(scheduleId));
  try {
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') return undefined;
    return await handle.query(periodLedgerQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

/** The line `schedule describe` prints for it. */
export function periodLine(spend: PeriodSpend): string {
  const part = (spent: number, left: number | undefined, unit: (n: number) => string) =>
    left === undefined ? undefined : `${unit(spent)} committed, ${unit(left)} left`;
  const usd = part(spend.committed.usd, spend.left.maxCostUsd, (n) => `$${n.toFixed(6)}`);
  const tokens = part(spend.committed.tokens, spend.left.maxTokens, (n) => `${n} tokens`);
  return (
    `${spend.period} ${spend.periodStart} to ${spend.periodEnd}: ` +
    `${[usd, tokens].filter(Boolean).join('; ')} (${spend.running} run(s) holding a grant)`
  );
}
