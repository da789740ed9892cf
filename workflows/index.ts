/** Every workflow a council worker serves. */
export { sessionWorkflow, type SessionWorkflowInput } from './session/workflow';
export { councilWorkflow } from './council/workflow';
