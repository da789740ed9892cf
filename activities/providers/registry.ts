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

/** A worker's environment variables (process.env, or a plain object in tests). */
export type WorkerEnv = Readonly<Record<string, string | undefined>>;

/** The first of a provider's standard key variables that is set, or undefined. */
export function standardKeyEnv(adapter: ProviderAdapter, env: WorkerEnv): string | undefined {
  return adapter.env.apiKeyEnv.find((name) => Boolean(env[name]));
}

/** Every env var a provider reads: its standard keys and base URL variables. */
export function providerEnvVars(): string[] {
  return ALL_ADAPTERS.flatMap((adapter) => [
    ...adapter.env.apiKeyEnv,
    ...(adapter.env.baseURLEnv ? [adapter.env.baseURLEnv] : []),
  ]);
}
