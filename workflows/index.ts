/**
 * Every workflow a council worker serves. Each one loads its modules when a run of it starts: the SDK
 * gives every workflow run a module cache of its own and evaluates the modules it imports again, so a
 * session run that imported the council's modules too would build every council schema for nothing
 * (7.3 instead of 13.4 ms per session run created, in replay; docs/performance.md).
 */
import type * as BudgetKeeper from './budgetKeeper/workflow';
import type * as Council from './council/workflow';
import type * as Session from './session/workflow';

export type { SessionWorkflowInput } from './session/workflow';
export type { BudgetKeeperInput } from './budgetKeeper/workflow';

/* eslint-disable @typescript-eslint/no-require-imports -- each loaded when a run starts, see above */

export function sessionWorkflow(
  input: Parameters<typeof Session.sessionWorkflow>[0],
): ReturnType<typeof Session.sessionWorkflow> {
  return (require('./session/workflow') as typeof Session).sessionWorkflow(input);
}

export function councilWorkflow(
  input: Parameters<typeof Council.councilWorkflow>[0],
): ReturnType<typeof Council.councilWorkflow> {
  return (require('./council/workflow') as typeof Council).councilWorkflow(input);
}

export function budgetKeeperWorkflow(
  input: Parameters<typeof BudgetKeeper.budgetKeeperWorkflow>[0],
): ReturnType<typeof BudgetKeeper.budgetKeeperWorkflow> {
  return (require('./budgetKeeper/workflow') as typeof BudgetKeeper).budgetKeeperWorkflow(input);
}
