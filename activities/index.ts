import type { LlmRequest, LlmResponse } from '../common/llm';

/** The activities a council worker serves. Workflows import this type only. */
export interface LlmActivities {
  /** One LLM call through the provider the request names. */
  callLlm(request: LlmRequest): Promise<LlmResponse>;
}

export { createLlmActivities, type LlmActivityOptions } from './llm';
export {
  missingProviderKeys,
  providerClientsFromEnv,
  PROVIDER_ENV,
  type ProviderClients,
  type WorkerEnv,
} from './clients';
