import { attemptBound, REPLY_PRIMING_TOKENS, type Amount } from '../../common/budget';
import { DEFAULT_RETRY, LIMITS } from '../../common/defaults';
import { priceOf } from '../../common/prices';
import type { ModelCaller } from '../../workflows/shared/callModel';

/**
 * The most tokens one prompt can take, a session's or a council's. No part of a prompt has a
 * smaller bound that holds for every provider: a session trims its history to `maxTokens` as one
 * tokenizer counts them, but never its system prompts, the round's message or the answers the turn
 * shows. Every request is checked against the request size before it reserves (workflows/shared/
 * callModel.ts): its JSON holds every message's UTF-8 bytes plus more framing per message than the
 * chat format's overhead, and a token is at least one byte.
 */
export const PROMPT_TOKEN_BOUND =
  LIMITS.payloadLimitBytes - LIMITS.requestEnvelopeBytes + REPLY_PRIMING_TOKENS;

/** One model's share of a worst case (a session's round, or a whole council). */
export interface EstimateRow {
  name: string;
  model: string;
  /** Most calls it makes. */
  calls: number;
  /** Attempts its retry allows each call: {@link worst} counts every one. */
  attempts: number;
  /** A bound: every call's prompt at {@link PROMPT_TOKEN_BOUND}, or its own smaller bound. */
  worst: Amount;
  /** A session's figure when every prompt fits its `maxTokens`: what a round usually stays under. */
  withinContext?: Amount;
  /** False when the model has no price: `worst.usd` then counts nothing for it. */
  priced: boolean;
}

/**
 * A row of `calls` calls of `caller`, times every attempt its retry allows: each at the prompt
 * bound (`promptTokens` when the caller's prompts have a smaller one), and (given a session's
 * `contextTokens`) each at that context too.
 */
export function estimateRow(
  caller: ModelCaller,
  calls: number,
  contextTokens?: number,
  promptTokens: number = PROMPT_TOKEN_BOUND,
): EstimateRow {
  const price = priceOf(caller.model);
  const attempts = caller.retry?.maximumAttempts ?? DEFAULT_RETRY.maximumAttempts;
  const times = calls * attempts;
  const callsAt = (promptTokens: number): Amount => {
    const perAttempt = attemptBound(promptTokens, caller.maxOutputTokens ?? Infinity, price);
    return { tokens: perAttempt.tokens * times, usd: perAttempt.usd * times };
  };
  return {
    name: caller.name,
    model: `${caller.model.provider}/${caller.model.model}`,
    calls,
    attempts,
    worst: callsAt(Math.min(promptTokens, PROMPT_TOKEN_BOUND)),
    ...(contextTokens !== undefined && {
      withinContext: callsAt(Math.min(contextTokens, PROMPT_TOKEN_BOUND)),
    }),
    priced: price !== undefined,
  };
}

const sum = (amounts: readonly Amount[]): Amount =>
  amounts.reduce<Amount>(
    (total, amount) => ({ tokens: total.tokens + amount.tokens, usd: total.usd + amount.usd }),
    {
      tokens: 0,
      usd: 0,
    },
  );

/** A worst case's rows, their sums, and whether every one is priced (so the sum's `usd` is a bound). */
export function estimateTotal(rows: EstimateRow[]): {
  rows: EstimateRow[];
  total: Amount;
  withinContext?: Amount;
  priced: boolean;
} {
  const within = rows.flatMap((row) => (row.withinContext ? [row.withinContext] : []));
  return {
    rows,
    total: sum(rows.map((row) => row.worst)),
    ...(within.length === rows.length && rows.length > 0 && { withinContext: sum(within) }),
    priced: rows.every((row) => row.priced),
  };
}
