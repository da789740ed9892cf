import {
  addAmount,
  attemptBound,
  costOfUsage,
  fits,
  MAX_REFUSED_LISTED,
  modelName,
  promptTokenBound,
  type Amount,
  type Budget,
  type BudgetView,
  type LedgerState,
} from '../../common/budget';
import type { CallCharge } from '../../common/council';
import { DEFAULT_RETRY } from '../../common/defaults';
import type { ChatMessage, ModelSpec } from '../../common/llm';
import { priceOf, type Price, type PricedModel } from '../../common/prices';
import { ASK_ENDINGS, type BudgetAsk } from './budgetAsk';
import type { CallSite } from './callIds';
import type { CallOutcome, ModelSettings } from './callModel';

/**
 * Patch id of budgets: a budgeted round records this marker before its first call. Configs recorded
 * before budgets have none, so their histories never reach it.
 */
export const BUDGET_LEDGER_PATCH = 'budget-ledger';

/**
 * Patch id of `onExhausted: downgrade`: a round of a session with that budget records this marker
 * before its first call. No config recorded before it could carry a downgrade, so none reaches it.
 */
export const BUDGET_DOWNGRADE_PATCH = 'budget-downgrade';

/** What one admitted call holds in the ledger until it ends. */
export interface BudgetHold {
  price: Price | undefined;
  perAttempt: Amount;
  /** Every attempt's worst case: the activity's retry policy may make them all. */
  reserved: Amount;
  /** The budget's cheaper model, when the call goes there instead of to its caller's model. */
  downgradedTo?: ModelSpec;
}

/** A call's worst case on one model, and whether it fits. */
interface Trial {
  hold: BudgetHold;
  attempts: number;
  fits: boolean;
}

/**
 * The ledger's gate in front of every model call. Workflow code is single-threaded: a parallel
 * fan-out reserves each of its calls in turn, in one workflow task, before any is sent, so together
 * they never pass the limit. Everything here is derived from workflow state, so replay rebuilds it.
 */
export class BudgetGate {
  /**
   * `downgradeTo` only when the budget downgrades and the round passed {@link BUDGET_DOWNGRADE_PATCH};
   * `ask` only when it asks and the round passed BUDGET_ASK_PATCH.
   */
  constructor(
    private readonly budget: Budget,
    readonly ledger: LedgerState,
    private readonly downgradeTo?: ModelSpec,
    private readonly ask?: BudgetAsk,
  ) {}

  /** True when a call that does not fit waits for a person ({@link admit}) instead of being refused. */
  get asks(): boolean {
    return this.ask !== undefined;
  }

  /**
   * As {@link reserve}, but a call that does not fit waits for a person first: it is admitted once
   * a raise (or the end of other calls) makes room, and refused when the budget stops. A call that
   * fits reserves before this returns its promise, as {@link reserve} does.
   */
  async admit(
    caller: ModelSettings,
    messages: readonly ChatMessage[],
    site: CallSite,
  ): Promise<BudgetHold | string> {
    const trial = this.trial(caller, caller.model, messages);
    if (trial.fits || !this.ask || this.ledger.exhausted) return this.reserve(caller, messages, site);
    let claimed: BudgetHold | undefined;
    const fitsNow = () => this.trial(caller, caller.model, messages).fits;
    const end = await this.ask.wait(site, trial.hold.reserved, fitsNow, () => {
      if (!fitsNow()) return false;
      const hold = this.reserve(caller, messages, site);
      if (typeof hold === 'string') return false;
      claimed = hold;
      return true;
    });
    if (end === 'room') return claimed ?? this.reserve(caller, messages, site);
    const refused = this.reserve(caller, messages, site);
    if (typeof refused !== 'string') return refused;
    // A stopped budget's refusal says who stopped it already.
    return this.ledger.stopped ? refused : `${refused}; the budget asked, and ${ASK_ENDINGS.raises}`;
  }

  /**
   * Reserves the call's worst case, or says why it is refused (it is then never sent). Under a
   * downgrade, a call that does not fit on its own model, and every call after it, reserves on the
   * cheaper model instead; only when that does not fit either is it refused.
   */
  reserve(caller: ModelSettings, messages: readonly ChatMessage[], site: CallSite): BudgetHold | string {
    let trial = this.trial(caller, caller.model, messages);
    if ((this.ledger.downgraded || !trial.fits) && this.downgradeTo && !this.ledger.exhausted) {
      const cheaper = this.trial(caller, this.downgradeTo, messages);
      if (cheaper.fits) this.ledger.downgraded = true;
      trial = { ...cheaper, hold: { ...cheaper.hold, downgradedTo: this.downgradeTo } };
    }
    const { hold, attempts } = trial;
    if (!trial.fits) {
      const why = this.ledger.stopped
        ? ASK_ENDINGS[this.ledger.stopped]
        : this.ledger.exhausted
          ? 'an earlier call did not fit, which ends its calls'
          : undefined;
      this.ledger.exhausted = true;
      this.ledger.refusedCount += 1;
      if (this.ledger.refused.length < MAX_REFUSED_LISTED) {
        this.ledger.refused.push({
          round: site.round,
          phase: site.phase,
          participant: site.participant,
          needed: hold.reserved,
        });
      }
      if (why) {
        return (
          `${site.label ?? site.participant} was refused by the budget: ${why}; ` +
          `${describe(this.ledger.spent)} spent, limit ${describeLimit(this.budget)}`
        );
      }
      return (
        `${site.label ?? site.participant} was refused by the budget: its worst case ` +
        `(${describe(hold.reserved)} over ${attempts} attempt(s)${hold.downgradedTo ? ` on ${modelName(hold.downgradedTo)}` : ''}) ` +
        `does not fit beside ${describe(this.ledger.spent)} ` +
        `spent and ${describe(this.ledger.reserved)} reserved (limit ${describeLimit(this.budget)})`
      );
    }
    this.ledger.reserved = addAmount(this.ledger.reserved, hold.reserved);
    return hold;
  }

  /** The call's worst case on `model` (every attempt its retry policy allows), and whether it fits. */
  private trial(caller: ModelSettings, model: PricedModel, messages: readonly ChatMessage[]): Trial {
    const price = priceOf(model);
    const attempts = caller.retry?.maximumAttempts ?? DEFAULT_RETRY.maximumAttempts;
    // Config validation requires maxOutputTokens under a budget; a caller without it cannot be bounded.
    const perAttempt = attemptBound(promptTokenBound(messages), caller.maxOutputTokens ?? Infinity, price);
    const reserved = { tokens: perAttempt.tokens * attempts, usd: perAttempt.usd * attempts };
    const unpriced = this.budget.maxCostUsd !== undefined && price === undefined;
    const fitting = !this.ledger.exhausted && !unpriced && fits(this.ledger, this.budget, reserved);
    return { hold: { price, perAttempt, reserved }, attempts, fits: fitting };
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

/** A call's budget fields alone (none without a budget, or for a refused call), for the records that carry them. */
export function chargeOf(outcome: CallOutcome): CallCharge {
  return {
    ...(outcome.costUsd !== undefined && { costUsd: outcome.costUsd }),
    ...(outcome.downgradedTo && { downgradedTo: outcome.downgradedTo }),
  };
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
