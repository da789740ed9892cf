import { attemptBound, type Amount } from '../../common/budget';
import { DEFAULT_RETRY } from '../../common/defaults';
import { priceOf } from '../../common/prices';
import type { ModelCaller } from '../../workflows/shared/callModel';

/** One model's share of a worst case (a session's round, or a whole council). */
export interface EstimateRow {
  name: string;
  model: string;
  /** Most calls it makes. */
  calls: number;
  worst: Amount;
  /** False when the model has no price: `worst.usd` then counts nothing for it. */
  priced: boolean;
}

/** A row of `calls` calls of `caller`, each at `contextTokens` of prompt, times every attempt its retry allows. */
export function estimateRow(caller: ModelCaller, calls: number, contextTokens: number): EstimateRow {
  const price = priceOf(caller.model);
  const attempts = caller.retry?.maximumAttempts ?? DEFAULT_RETRY.maximumAttempts;
  const perAttempt = attemptBound(contextTokens, caller.maxOutputTokens ?? Infinity, price);
  const times = calls * attempts;
  return {
    name: caller.name,
    model: `${caller.model.provider}/${caller.model.model}`,
    calls,
    worst: { tokens: perAttempt.tokens * times, usd: perAttempt.usd * times },
    priced: price !== undefined,
  };
}

/** A worst case's rows, their sum, and whether every one is priced (so the sum's `usd` is a bound). */
export function estimateTotal(rows: EstimateRow[]): { rows: EstimateRow[]; total: Amount; priced: boolean } {
  const total = rows.reduce<Amount>(
    (sum, row) => ({ tokens: sum.tokens + row.worst.tokens, usd: sum.usd + row.worst.usd }),
    { tokens: 0, usd: 0 },
  );
  return { rows, total, priced: rows.every((row) => row.priced) };
}
