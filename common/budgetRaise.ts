import { z } from 'zod';
import type { Budget } from './budget';

/** The largest money limit a budget may have (as budgetSchema's `maxCostUsd`). */
const MAX_COST_USD = 1_000_000;

/**
 * A person's raise of a session's budget (`council budget raise`): by or to an amount, in dollars
 * or tokens, exactly one of them.
 */
export const raiseBudgetSchema = z
  .object({
    byUsd: z.number().positive().max(MAX_COST_USD).optional(),
    toUsd: z.number().positive().max(MAX_COST_USD).optional(),
    byTokens: z.number().int().positive().optional(),
    toTokens: z.number().int().positive().optional(),
  })
  .strict()
  .refine((raise) => Object.values(raise).filter((value) => value !== undefined).length === 1, {
    message: 'give exactly one of byUsd, toUsd, byTokens, toTokens, e.g. { byUsd: 0.5 }',
  });
export type RaiseBudgetInput = z.infer<typeof raiseBudgetSchema>;

/** A budget's limits: what a raise changes. */
export type BudgetLimits = Pick<Budget, 'maxTokens' | 'maxCostUsd'>;

/**
 * The limits after the raise, or why it cannot be made (a sentence saying how to fix it): a raise
 * changes a limit the budget sets, and never lowers it.
 */
export function raisedLimits(budget: BudgetLimits, raise: RaiseBudgetInput): BudgetLimits | string {
  if (raise.byUsd !== undefined || raise.toUsd !== undefined) {
    const current = budget.maxCostUsd;
    if (current === undefined) {
      return 'this budget sets no money limit (maxCostUsd): raise its tokens instead, e.g. byTokens: 10000 (--by-tokens 10000)';
    }
    const next = raise.toUsd ?? Math.round((current + (raise.byUsd ?? 0)) * 1e9) / 1e9;
    if (next < current) return `the budget is already $${current}: toUsd (--to-usd) must not lower it`;
    if (next > MAX_COST_USD) return `a budget may be at most $${MAX_COST_USD}`;
    return { ...budget, maxCostUsd: next };
  }
  const current = budget.maxTokens;
  if (current === undefined) {
    return 'this budget sets no token limit (maxTokens): raise its dollars instead, e.g. byUsd: 0.5 (--by-usd 0.5)';
  }
  const next = raise.toTokens ?? current + (raise.byTokens ?? 0);
  if (next < current)
    return `the budget is already ${current} tokens: toTokens (--to-tokens) must not lower it`;
  return { ...budget, maxTokens: next };
}
