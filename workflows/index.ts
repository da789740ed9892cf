/**
 * Every workflow a council worker serves. Each one loads its modules when a run of it starts: the SDK
 * gives every workflow run a module cache of its own and evaluates the modules it imports again, so a
 * session run that imported the council's modules too would build every council schema for nothing
 * (about 8.5 instead of 12.5-14.7 ms per session run created, in replay; docs/performance.md). What
 * the SDK reads from a workflow function itself (such as a versioning behaviour) belongs on these.
 * A session or council run first adopts the patch baseline (shared/patches.ts), before any command;
 * the budget keeper has no patch.
 */
import type * as BudgetKeeper from './budgetKeeper/workflow';
import type * as Council from './council/workflow';
import type * as Session from './session/workflow';
import { adoptPatchBaseline } from './shared/patches';

export type { SessionWorkflowInput } from './session/workflow';
export type { BudgetKeeperInput } from './budgetKeeper/workflow';

/* eslint-disable @typescript-eslint/no-require-imports -- each loaded when a run starts, see above */

export function sessionWorkflow(
  ...args: Parameters<typeof Session.sessionWorkflow>
): ReturnType<typeof Session.sessionWorkflow> {
  adoptPatchBaseline();
  return (require('./session/workflow') as typeof Session).sessionWorkflow(...args);
}

export function councilWorkflow(
  ...args: Parameters<typeof Council.councilWorkflow>
): ReturnType<typeof Council.councilWorkflow> {
  adoptPatchBaseline();
  return (require('./council/workflow') as typeof Council).councilWorkflow(...args);
}

export function budgetKeeperWorkflow(
  ...args: Parameters<typeof BudgetKeeper.budgetKeeperWorkflow>
): ReturnType<typeof BudgetKeeper.budgetKeeperWorkflow> {
  return (require('./budgetKeeper/workflow') as typeof BudgetKeeper).budgetKeeperWorkflow(...args);
}
