import type { z } from 'zod';
import { budgetProblems, type Budget, type BudgetedCaller } from './budget';
import { backupName, type HedgeBackup } from './hedge';
import type { PricedModel } from './prices';
import { addProblem } from './validation';

/** What a council's budget check reads of its context: everyone who may make a model call. */
interface BudgetedCouncil {
  budget?: Budget;
  activeExperts: ReadonlyArray<BudgetedCaller>;
  synthesisConfig: { name: string; model: PricedModel; maxOutputTokens?: number };
  hedge?: { backup: HedgeBackup };
}

/**
 * A council's budget bounds every call it makes: each expert's (reviews included), the hedge
 * backup's and the synthesizer's, so each needs `maxOutputTokens`, and a price under a money budget.
 * `ask` is for sessions, whose `council budget raise|stop` a person answers; a council stops or
 * downgrades.
 */
export function checkCouncilBudget(context: BudgetedCouncil, ctx: z.RefinementCtx): void {
  const { budget, hedge } = context;
  if (!budget) return;
  if (budget.onExhausted === 'ask') {
    addProblem(
      ctx,
      ['budget', 'onExhausted'],
      "a council's budget takes onExhausted stop or downgrade (ask is for sessions): " +
        'e.g. budget: { maxCostUsd: 0.5, onExhausted: stop }',
    );
  }
  const callers: BudgetedCaller[] = [
    ...context.activeExperts,
    context.synthesisConfig,
    ...(hedge ? [{ ...hedge.backup, name: backupName(hedge.backup) }] : []),
  ];
  for (const message of budgetProblems(budget, callers)) {
    addProblem(ctx, ['budget'], message);
  }
}
