import { z } from 'zod';
import type { Amount } from './budget';

/** How long a schedule's period lasts: a UTC day, or a UTC week from Monday 00:00. */
export const PERIODS = ['day', 'week'] as const;
export type Period = (typeof PERIODS)[number];

/**
 * A schedule's budget per period, shared by all its runs: each run is granted at most its own budget
 * and at most what the period has left, so overlapping runs together never pass it.
 */
export const periodBudgetSchema = z
  .object({
    period: z.enum(PERIODS, { error: 'period must be "day" or "week" (UTC)' }),
    maxTokens: z.number().int().positive().optional(),
    maxCostUsd: z.number().positive().max(1_000_000).optional(),
  })
  .strict()
  .refine((budget) => budget.maxTokens !== undefined || budget.maxCostUsd !== undefined, {
    message:
      'a periodBudget needs maxTokens and/or maxCostUsd, e.g. periodBudget: { period: day, maxCostUsd: 5 }',
  });
export type PeriodBudget = z.infer<typeof periodBudgetSchema>;

/** What a scheduled run carries in its input: the period budget and the schedule it belongs to. */
export interface ScheduledPeriodBudget extends PeriodBudget {
  scheduleId: string;
}

/** The per-run limits a run asks the keeper for, or was granted (a limit the run does not set is absent). */
export interface RunLimits {
  maxTokens?: number;
  maxCostUsd?: number;
}

/**
 * Why a period budget does not fit the run's own budget, or nothing. A run's grant replaces its own
 * limit, so the run needs one in each unit the period limits (a grant of "the whole remainder" would
 * let one run take the period at once); `ask` would let a person raise a run past its grant.
 */
export function periodBudgetProblems(
  period: PeriodBudget,
  budget: { maxTokens?: number; maxCostUsd?: number; onExhausted?: string } | undefined,
): string[] {
  if (!budget)
    return [
      'a periodBudget needs a per-run budget to grant from, e.g. budget: { maxCostUsd: 1 } with periodBudget: { period: day, maxCostUsd: 5 }',
    ];
  const problems: string[] = [];
  if (period.maxCostUsd !== undefined && budget.maxCostUsd === undefined)
    problems.push('periodBudget.maxCostUsd needs budget.maxCostUsd, the most one run may take');
  if (period.maxTokens !== undefined && budget.maxTokens === undefined)
    problems.push('periodBudget.maxTokens needs budget.maxTokens, the most one run may take');
  if (budget.onExhausted === 'ask')
    problems.push(
      'a periodBudget takes a budget with onExhausted stop or downgrade (a raise would pass the grant)',
    );
  return problems;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Start of the period holding `ms` (epoch ms, UTC). 1970-01-01 was a Thursday: weeks start 3 days later. */
export function periodStartOf(ms: number, period: Period): number {
  if (period === 'day') return Math.floor(ms / DAY_MS) * DAY_MS;
  const monday = 4 * DAY_MS;
  return Math.floor((ms - monday) / (7 * DAY_MS)) * 7 * DAY_MS + monday;
}

/** End of the period that starts at `start`. */
export function periodEndOf(start: number, period: Period): number {
  return start + (period === 'day' ? DAY_MS : 7 * DAY_MS);
}

/** What the period has left of each limit it sets, given what it has committed. */
export function periodLeft(budget: PeriodBudget, committed: Amount): RunLimits {
  const left = (limit: number | undefined, used: number) =>
    limit === undefined ? undefined : Math.max(0, Math.round((limit - used) * 1e9) / 1e9);
  const tokens = left(budget.maxTokens, committed.tokens);
  const usd = left(budget.maxCostUsd, committed.usd);
  return {
    ...(tokens !== undefined ? { maxTokens: tokens } : {}),
    ...(usd !== undefined ? { maxCostUsd: usd } : {}),
  };
}

/** The grant for a run that asks `want`: each limit the smaller of its own and the period's remainder. */
export function grantFor(want: RunLimits, left: RunLimits): RunLimits {
  const min = (a: number | undefined, b: number | undefined) =>
    a === undefined ? b : b === undefined ? a : Math.min(a, b);
  const tokens = min(want.maxTokens, left.maxTokens);
  const usd = min(want.maxCostUsd, left.maxCostUsd);
  return {
    ...(tokens !== undefined ? { maxTokens: tokens } : {}),
    ...(usd !== undefined ? { maxCostUsd: usd } : {}),
  };
}

/** True when a grant leaves a run nothing to call with. */
export function grantIsEmpty(grant: RunLimits): boolean {
  return grant.maxTokens === 0 || grant.maxCostUsd === 0;
}
