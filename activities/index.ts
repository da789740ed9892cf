export { MODEL_CALL_ACTIVITY, type LlmActivities } from './types';
export { createLlmActivities, type LlmActivityOptions } from './llm';
export { missingProviderKeys, providerClientsFromEnv, type ProviderClients, type WorkerEnv } from './clients';
export { adapterOf, ALL_ADAPTERS, providerEnvVars, standardKeyEnv } from './providers/registry';
export type { ProviderAdapter } from './providers/adapter';
export type { ProviderEnvFacts } from '../common/providers';
export { loadProviderPolicy, ProviderPolicy, providerPolicyRules, providerPolicySchema } from './policy';
