import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { patched } from '../shared/patches';
import { emptyLedger } from '../../common/budget';
import type { CouncilContext, CouncilWorkflowInput } from '../../common/council';
import { CouncilCostUsdKey } from '../../common/searchAttributes';
import { BudgetGate } from '../shared/budget';
import { takePeriodGrant, type TakenGrant } from '../shared/periodGrant';

/**
 * Patch id of council budgets: a council with a budget records this marker before its first call.
 * No council recorded before it could carry a budget (the context schema refused one), so none
 * reaches it; the marker still keeps the path explicit for replay.
 */
export const COUNCIL_BUDGET_PATCH = 'council-budget';

/**
 * The council's budget gate, in front of every call it makes (experts, hedge backups, reviewers,
 * the synthesizer): each reserves its worst case first, and is refused (never sent) when that does
 * not fit. A fan-out's calls reserve in one workflow task, before any is sent, so together they
 * never pass the limit. `stop` refuses every later call once one did not fit (the run ends with
 * what was answered); `downgrade` sends that call, and every later one, to `downgradeTo`.
 * Undefined for a council without a budget.
 */
export function councilBudgetGate(context: CouncilContext): BudgetGate | undefined {
  const { budget } = context;
  if (!budget || !patched(COUNCIL_BUDGET_PATCH)) return undefined;
  const downgradeTo = budget.onExhausted === 'downgrade' ? budget.downgradeTo : undefined;
  return new BudgetGate(budget, emptyLedger(), downgradeTo);
}

/**
 * Patch id of a scheduled council's grant from its schedule's period budget. Only inputs that carry
 * a `periodBudget` call it, and no council input could carry one before it existed.
 */
export const COUNCIL_PERIOD_BUDGET_PATCH = 'council-period-budget';

/**
 * A scheduled council's grant from its schedule's period budget, made its budget before its first
 * call (the gate reads the same limits object); nothing for a council that is not scheduled with one.
 * Throws, before any call, when the period has nothing left.
 */
export async function councilPeriodGrant(
  input: CouncilWorkflowInput,
  context: CouncilContext,
  gate: BudgetGate | undefined,
): Promise<TakenGrant | undefined> {
  if (!input.periodBudget || !patched(COUNCIL_PERIOD_BUDGET_PATCH)) return undefined;
  return takePeriodGrant(
    { kind: 'council', budget: gate && context.budget, ledger: () => gate?.ledger },
    input.periodBudget,
  );
}

/** How the council's final status says what its budget did; empty without a budget or a refusal. */
export function budgetOutcome(gate: BudgetGate | undefined): string {
  if (!gate?.ledger.exhausted) return '';
  const { refusedCount, spent } = gate.ledger;
  return `; budget exhausted: ${refusedCount} call(s) refused after $${spent.usd.toFixed(6)} and ${spent.tokens} tokens spent`;
}

/**
 * The CouncilCostUsd update a budgeted council adds to its status upsert: its spend, once it changed
 * since it was last published (so `council list --min-cost-usd` and the Web UI see councils as they
 * see sessions). Nothing for a council without a budget, whose histories stay as recorded.
 */
export function costPublisher(gate: BudgetGate | undefined): () => SearchAttributeUpdatePair[] {
  let published = 0;
  return () => {
    const spent = gate?.ledger.spent.usd;
    if (spent === undefined || spent === published) return [];
    published = spent;
    return [{ key: CouncilCostUsdKey, value: spent }];
  };
}
