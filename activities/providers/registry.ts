import type { ProviderName } from '../../common/llm';
import type { ProviderAdapter } from './adapter';
import { anthropicAdapter } from './anthropic';
import { geminiAdapter } from './gemini';
import { openaiAdapter, openaiCompatibleAdapter } from './openai';

/**
 * The Node half of the provider registry: one adapter per provider, under the names of
 * common/providers.ts (the type makes a missing row a compile error). Everything else (the client
 * resolver, the classifier, worker start-up checks, simulation, the compose env test) reads it.
 */
export const ADAPTERS = {
  openai: openaiAdapter,
  anthropic: anthropicAdapter,
  'openai-compatible': openaiCompatibleAdapter,
  gemini: geminiAdapter,
} as const satisfies { [P in ProviderName]: ProviderAdapter<unknown, P> };

/** The SDK client type of each provider. */
export type ClientOf<P extends ProviderName> =
  (typeof ADAPTERS)[P] extends ProviderAdapter<infer Client> ? Client : never;

/** Every adapter, in registry order (the order of start-up warnings and of the default config's choice). */
export const ALL_ADAPTERS: readonly ProviderAdapter[] = Object.values(ADAPTERS);

/** The adapter of a provider. */
export function adapterOf(provider: ProviderName): ProviderAdapter {
  return ADAPTERS[provider];
}

export { providerEnvVars, standardKeyEnv, type WorkerEnv } from '../../common/providers';
