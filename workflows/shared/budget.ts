import {
  addAmount,
  attemptBound,
  costOfUsage,
  fits,
  MAX_REFUSED_LISTED,
  promptTokenBound,
  type Amount,
  type Budget,
  type BudgetView,
  type LedgerState,
} from '../../common/budget';
import { DEFAULT_RETRY } from '../../common/defaults';
import type { ChatMessage } from '../../common/llm';
import { priceOf, type Price } from '../../common/prices';
import type { CallOutcome, CallSite, ModelSettings } from './callModel';

/**
 * Patch id of budgets: a budgeted round records this marker before its first call. Configs recorded
 * before budgets have none, so their histories never reach it.
 */
export const BUDGET_LEDGER_PATCH = 'budget-ledger';

/** What one admitted call holds in the ledger until it ends. */
export interface BudgetHold {
  price: Price | undefined;
  perAttempt: Amount;
  /** Every attempt's worst case: the activity's retry policy may make them all. */
  reserved: Amount;
}

/**
 * The ledger's gate in front of every model call. Workflow code is single-threaded: a parallel
 * fan-out reserves each of its calls in turn, in one workflow task, before any is sent, so together
 * they never pass the limit. Everything here is derived from workflow state, so replay rebuilds it.
 */
export class BudgetGate {
  constructor(
    private readonly budget: Budget,
    readonly ledger: LedgerState,
  ) {}

  /** Reserves the call's worst case, or says why it is refused (it is then never sent). */
  reserve(caller: ModelSettings, messages: readonly ChatMessage[], site: CallSite): BudgetHold | string {
    const price = priceOf(caller.model);
    const attempts = caller.retry?.maximumAttempts ?? DEFAULT_RETRY.maximumAttempts;
    // Config validation requires maxOutputTokens under a budget; a caller without it cannot be bounded.
    const perAttempt = attemptBound(promptTokenBound(messages), caller.maxOutputTokens ?? Infinity, price);
    const reserved = { tokens: perAttempt.tokens * attempts, usd: perAttempt.usd * attempts };
    const unpriced = this.budget.maxCostUsd !== undefined && price === undefined;
    if (this.ledger.exhausted || unpriced || !fits(this.ledger, this.budget, reserved)) {
      this.ledger.exhausted = true;
      this.ledger.refusedCount += 1;
      if (this.ledger.refused.length < MAX_REFUSED_LISTED) {
        this.ledger.refused.push({
          round: site.round,
          phase: site.phase,
          participant: site.participant,
          needed: reserved,
        });
      }
      return (
        `${site.label ?? site.participant} was refused by the budget: its worst case ` +
        `(${describe(reserved)} over ${attempts} attempt(s)) does not fit beside ${describe(this.ledger.spent)} ` +
        `spent and ${describe(this.ledger.reserved)} reserved (limit ${describeLimit(this.budget)})`
      );
    }
    this.ledger.reserved = addAmount(this.ledger.reserved, reserved);
    return { price, perAttempt, reserved };
  }

  /**
   * Replaces the reservation with what the call cost: the answer's reported usage plus, for each
   * earlier attempt (whose usage nobody reported), its worst case; a failed or cancelled call is
   * charged its whole reservation. Returns the charge.
   */
  settle(hold: BudgetHold, outcome: CallOutcome): Amount {
    const charged =
      outcome.status === 'ok'
        ? addAmount(costOfUsage(outcome.response.tokenUsage, hold.price), {
            tokens: hold.perAttempt.tokens * ((outcome.response.attempt ?? 1) - 1),
            usd: hold.perAttempt.usd * ((outcome.response.attempt ?? 1) - 1),
          })
        : hold.reserved;
    this.ledger.reserved = addAmount(this.ledger.reserved, hold.reserved, -1);
    this.ledger.spent = addAmount(this.ledger.spent, charged);
    return charged;
  }

  view(): BudgetView {
    return viewOfLedger(this.budget, this.ledger);
  }
}

/** The budget as views and results show it. */
export function viewOfLedger(budget: Budget, ledger: LedgerState): BudgetView {
  const limit = {
    ...(budget.maxTokens !== undefined && { maxTokens: budget.maxTokens }),
    ...(budget.maxCostUsd !== undefined && { maxCostUsd: budget.maxCostUsd }),
  };
  return { limit, ...ledger, refused: [...ledger.refused] };
}

function describe(amount: Amount): string {
  return `${amount.tokens} tokens, $${amount.usd.toFixed(6)}`;
}

function describeLimit(budget: Budget): string {
  const parts = [
    budget.maxTokens !== undefined ? `${budget.maxTokens} tokens` : undefined,
    budget.maxCostUsd !== undefined ? `$${budget.maxCostUsd}` : undefined,
  ];
  return parts.filter((part) => part !== undefined).join(', ');
}
