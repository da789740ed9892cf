import { z } from 'zod';
import { modelSpecSchema } from './llm';
import { priceOf, type PricedModel } from './prices';

// A budget's ledger and the bounds of what a call costs have a module of their own; importers keep this path.
export * from './budgetLedger';

/** Who calls a budget's cheaper model, as a provider policy's refusal names it. */
export const DOWNGRADE_SUBJECT = 'budget downgradeTo';

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
