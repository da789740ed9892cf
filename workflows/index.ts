/** Every workflow a council worker serves. */
export { sessionWorkflow, type SessionWorkflowInput } from './session/workflow';
export { councilWorkflow } from './council/workflow';
export { budgetKeeperWorkflow, type BudgetKeeperInput } from './budgetKeeper/workflow';
