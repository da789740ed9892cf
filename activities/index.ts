import type { LlmRequest, LlmResponse } from '../common/llm';

/** The activities a council worker serves. Workflows import this type only. */
export interface LlmActivities {
  /** One LLM call through the provider the request names. */
  callLlm(request: LlmRequest): Promise<LlmResponse>;
}

export { createLlmActivities, type ProviderClients } from './llm';
