import { z } from 'zod';
import { modelSpecSchema, type ChatMessage, type TokenUsage } from './llm';
import { priceOf, usdOf, type Price, type PricedModel } from './prices';
import { utf8Bytes } from './size';

/** How long an `ask` budget waits for a person when `askTimeoutMs` is not given: an hour. */
export const DEFAULT_BUDGET_ASK_TIMEOUT_MS = 60 * 60 * 1000;
/** The longest an `ask` budget may wait: a week (the wait is a durable timer, but a run should end). */
export const MAX_BUDGET_ASK_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * A budget on a session: tokens (input + output) and/or USD. `stop` refuses every call that does
 * not fit and ends the round; the session then takes no more rounds. `downgrade` sends the first
 * call that does not fit, and every later call of the session, to `downgradeTo` instead, as long as
 * that cheaper call fits; what does not fit even then is refused as under `stop`. `ask` holds the
 * call that does not fit (durably) until a person raises the budget or stops it, or `askTimeoutMs`
 * passes; a stop or a timeout then refuses it as under `stop`.
 */
export const budgetSchema = z
  .object({
    maxTokens: z.number().int().positive().optional(),
    maxCostUsd: z.number().positive().max(1_000_000).optional(),
    onExhausted: z.enum(['stop', 'downgrade', 'ask']).default('stop'),
    downgradeTo: modelSpecSchema.optional(),
    askTimeoutMs: z.number().int().min(1000).max(MAX_BUDGET_ASK_TIMEOUT_MS).optional(),
  })
  .strict()
  .refine((budget) => budget.maxTokens !== undefined || budget.maxCostUsd !== undefined, {
    message: 'a budget needs maxTokens and/or maxCostUsd, e.g. budget: { maxCostUsd: 0.5 }',
  })
  .refine((budget) => (budget.onExhausted === 'downgrade') === (budget.downgradeTo !== undefined), {
    message:
      'onExhausted: downgrade needs downgradeTo, and downgradeTo needs onExhausted: downgrade, ' +
      'e.g. budget: { maxCostUsd: 0.5, onExhausted: downgrade, downgradeTo: { provider: openai, model: gpt-4o-mini } }',
    path: ['downgradeTo'],
  })
  .refine((budget) => budget.askTimeoutMs === undefined || budget.onExhausted === 'ask', {
    message:
      'askTimeoutMs needs onExhausted: ask, e.g. budget: { maxCostUsd: 0.5, onExhausted: ask, askTimeoutMs: 600000 }',
    path: ['askTimeoutMs'],
  });
export type Budget = z.infer<typeof budgetSchema>;

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
export function fits(ledger: LedgerState, budget: Budget, amount: Amount): boolean {
  const after = addAmount(addAmount(ledger.spent, ledger.reserved), amount);
  if (budget.maxTokens !== undefined && after.tokens > budget.maxTokens) return false;
  // A hair of tolerance so sums of float prices equal to the limit still fit.
  if (budget.maxCostUsd !== undefined && after.usd > budget.maxCostUsd + 1e-12) return false;
  return true;
}

/** What a model caller must declare for its calls to be bounded under a budget. */
export interface BudgetedCaller {
  name: string;
  model: PricedModel;
  maxOutputTokens?: number;
}

/**
 * Why these callers cannot run under this budget (a message each, saying how to fix it): a call's
 * worst case needs `maxOutputTokens`, and a money budget needs a price for every model.
 */
export function budgetProblems(budget: Budget | undefined, callers: readonly BudgetedCaller[]): string[] {
  if (!budget) return [];
  const problems: string[] = [];
  const cheaper = budget.downgradeTo;
  if (cheaper && budget.maxCostUsd !== undefined && !priceOf(cheaper)) {
    problems.push(
      `the budget's downgradeTo model ${cheaper.provider}/${cheaper.model} has no known price: ` +
        'give one in it, e.g. price: { inputPerMTok: 0.15, outputPerMTok: 0.6 }',
    );
  }
  for (const caller of callers) {
    if (caller.maxOutputTokens === undefined) {
      problems.push(
        `${caller.name} has no maxOutputTokens: a budget needs it to bound each call, e.g. maxOutputTokens: 1024`,
      );
    }
    if (budget.maxCostUsd !== undefined && !priceOf(caller.model)) {
      problems.push(
        `${caller.name}'s model ${caller.model.provider}/${caller.model.model} has no known price: ` +
          'give one in its model, e.g. price: { inputPerMTok: 1, outputPerMTok: 4 }',
      );
    }
  }
  return problems;
}

/** {@link budgetProblems} of a session config: its participants and its selector model. */
export function sessionBudgetProblems(config: {
  budget?: Budget;
  participants: readonly BudgetedCaller[];
  selector?: Omit<BudgetedCaller, 'name'>;
}): string[] {
  const { budget, participants, selector } = config;
  return budgetProblems(
    budget,
    selector ? [...participants, { ...selector, name: 'selector' }] : participants,
  );
}

/** `openai/gpt-4o-mini`: how responses and refusals name a model. */
export function modelName(model: PricedModel): string {
  return `${model.provider}/${model.model}`;
}
