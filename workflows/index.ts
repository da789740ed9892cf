/** Every workflow a council worker serves. */
export { sessionWorkflow, type SessionWorkflowInput } from './session/workflow';
