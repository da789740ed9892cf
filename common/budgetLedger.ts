import type { ChatMessage, TokenUsage } from './llm';
import { usdOf, type Price } from './prices';
import { utf8Bytes } from './size';

/** Tokens and dollars together: what a call reserves, what was spent. */
export interface Amount {
  tokens: number;
  usd: number;
}

/** A call the budget refused before it was sent. */
export interface RefusedCall {
  round: number;
  phase: string;
  participant: string;
  /** What the call would have reserved. */
  needed: Amount;
}

/** A call an `ask` budget holds until a person raises the budget or stops it. */
export interface BudgetWait {
  round: number;
  phase: string;
  participant: string;
  /** What the call would reserve: the budget must make room for it. */
  needed: Amount;
  /** When the wait ends with a refusal unless a person answers (workflow time, ISO 8601 UTC). */
  until: string;
}

/** Most refused calls a ledger lists (it counts them all). */
export const MAX_REFUSED_LISTED = 50;

/** The ledger a session carries: what was spent, what calls in flight hold, what was refused. */
export interface LedgerState {
  spent: Amount;
  reserved: Amount;
  exhausted: boolean;
  refused: RefusedCall[];
  refusedCount: number;
  /**
   * True once a call did not fit and went to the budget's `downgradeTo`: every later call goes there
   * too. Absent in ledgers carried before downgrades existed.
   */
  downgraded?: boolean;
  /** Under `onExhausted: ask`: the call waiting for a person now, if any. */
  waiting?: BudgetWait;
  /** Under `onExhausted: ask`: why the budget stopped admitting calls (a person said stop, or no one answered in time). */
  stopped?: 'person' | 'timeout';
}

/** The budget as a view or result shows it. */
export interface BudgetView extends LedgerState {
  limit: { maxTokens?: number; maxCostUsd?: number };
}

export const ZERO_AMOUNT: Amount = { tokens: 0, usd: 0 };

/** A ledger with nothing spent, reserved or refused. */
export function emptyLedger(): LedgerState {
  return {
    spent: { ...ZERO_AMOUNT },
    reserved: { ...ZERO_AMOUNT },
    exhausted: false,
    refused: [],
    refusedCount: 0,
  };
}

/** `a + b` (or `a - b`); dollars rounded to the nano-dollar so float sums do not drift. */
export function addAmount(a: Amount, b: Amount, sign: 1 | -1 = 1): Amount {
  return { tokens: a.tokens + sign * b.tokens, usd: Math.round((a.usd + sign * b.usd) * 1e9) / 1e9 };
}

/** Tokens the chat format adds per message and before the reply (as activities/trimHistory.ts counts). */
const MESSAGE_OVERHEAD_TOKENS = 4;
export const REPLY_PRIMING_TOKENS = 3;

/**
 * The most tokens a prompt can take, without a tokenizer in workflow code: byte-level BPE tokens
 * (OpenAI's, Anthropic's) are at least one byte each, so a message's UTF-8 bytes bound its tokens.
 */
export function promptTokenBound(messages: readonly ChatMessage[]): number {
  return messages.reduce(
    (sum, message) => sum + utf8Bytes(message.content) + MESSAGE_OVERHEAD_TOKENS,
    REPLY_PRIMING_TOKENS,
  );
}

/** The most one attempt can cost: the prompt's bound plus every output token, at the price. */
export function attemptBound(
  promptTokens: number,
  maxOutputTokens: number,
  price: Price | undefined,
): Amount {
  const usd = price
    ? usdOf(promptTokens, price.inputPerMTok) + usdOf(maxOutputTokens, price.outputPerMTok)
    : 0;
  return { tokens: promptTokens + maxOutputTokens, usd };
}

/** What a call's reported usage cost (every input token at the uncached rate). */
export function costOfUsage(usage: TokenUsage, price: Price | undefined): Amount {
  const usd = price
    ? usdOf(usage.inputTokens, price.inputPerMTok) + usdOf(usage.outputTokens, price.outputPerMTok)
    : 0;
  return { tokens: usage.inputTokens + usage.outputTokens, usd };
}

/** True when `amount` fits beside what is spent and reserved, in every limit the budget sets. */
export function fits(ledger: LedgerState, budget: BudgetView['limit'], amount: Amount): boolean {
  const after = addAmount(addAmount(ledger.spent, ledger.reserved), amount);
  if (budget.maxTokens !== undefined && after.tokens > budget.maxTokens) return false;
  // A hair of tolerance so sums of float prices equal to the limit still fit.
  if (budget.maxCostUsd !== undefined && after.usd > budget.maxCostUsd + 1e-12) return false;
  return true;
}
