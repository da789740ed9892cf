export type { LlmActivities } from './types';
export { createLlmActivities, type LlmActivityOptions } from './llm';
export {
  missingProviderKeys,
  providerClientsFromEnv,
  PROVIDER_ENV,
  type ProviderClients,
  type WorkerEnv,
} from './clients';
export { loadProviderPolicy, ProviderPolicy, providerPolicySchema } from './policy';
