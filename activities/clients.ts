import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { ModelSpec } from '../common/llm';
import { providerKeyMissing } from './classify';
import type { SecretRegistry } from './redact';

/** A worker's environment variables (process.env, or a plain object in tests). */
export type WorkerEnv = Readonly<Record<string, string | undefined>>;

/** Provider clients, created once per worker and injected into {@link createLlmActivities}. */
export interface ProviderClients {
  /** Serves participants with provider "openai" and no baseURL/apiKeyEnv of their own. */
  openai?: OpenAI;
  /** Serves participants with provider "anthropic" and no baseURL/apiKeyEnv of their own. */
  anthropic?: Anthropic;
}

/** The env vars each built-in provider reads. */
export const PROVIDER_ENV = {
  openai: {
    apiKey: 'OPENAI_API_KEY',
    baseURL: 'OPENAI_BASE_URL',
    defaultBaseURL: 'https://api.openai.com/v1',
  },
  anthropic: {
    apiKey: 'ANTHROPIC_API_KEY',
    baseURL: 'ANTHROPIC_BASE_URL',
    defaultBaseURL: 'https://api.anthropic.com',
  },
} as const;

/** Sent to OpenAI-compatible servers that take no key (Ollama, llama.cpp): the SDK insists on one. */
const NO_KEY = 'no-key';

/**
 * The default clients for a worker, from OPENAI_API_KEY / OPENAI_BASE_URL and ANTHROPIC_API_KEY /
 * ANTHROPIC_BASE_URL. A provider without a key gets no client; its calls fail with ProviderKeyMissing.
 * SDK retries are off: the activity retry policy owns retries.
 */
export function providerClientsFromEnv(env: WorkerEnv): ProviderClients {
  const openaiKey = env[PROVIDER_ENV.openai.apiKey];
  const anthropicKey = env[PROVIDER_ENV.anthropic.apiKey];
  return {
    ...(openaiKey ? { openai: openaiClient(env[PROVIDER_ENV.openai.baseURL], openaiKey) } : {}),
    ...(anthropicKey
      ? { anthropic: anthropicClient(env[PROVIDER_ENV.anthropic.baseURL], anthropicKey) }
      : {}),
  };
}

/** One line per built-in provider whose key is missing, for the worker to print at start-up. */
export function missingProviderKeys(env: WorkerEnv): string[] {
  return (['openai', 'anthropic'] as const)
    .filter((provider) => !env[PROVIDER_ENV[provider].apiKey])
    .map(
      (provider) =>
        `${PROVIDER_ENV[provider].apiKey} is not set: participants with provider "${provider}" will fail ` +
        `with ProviderKeyMissing unless they name their own apiKeyEnv`,
    );
}

/** Where a participant's calls go: the env var whose value is sent as the key (none: keyless), and the URL. */
export interface Destination {
  keyEnv: string | undefined;
  baseURL: string;
}

/**
 * Where calls for `spec` go and which key they send; undefined for the worker's own default client
 * (provider "openai" or "anthropic" with neither baseURL nor apiKeyEnv), which its operator set up.
 */
export function destinationOf(spec: ModelSpec, env: WorkerEnv): Destination | undefined {
  if (spec.provider !== 'openai-compatible' && !spec.baseURL && !spec.apiKeyEnv) return undefined;
  const standard = spec.provider === 'anthropic' ? PROVIDER_ENV.anthropic : PROVIDER_ENV.openai;
  const keyEnv = spec.apiKeyEnv ?? (spec.provider === 'openai-compatible' ? undefined : standard.apiKey);
  return { keyEnv, baseURL: spec.baseURL || env[standard.baseURL] || standard.defaultBaseURL };
}

/** Throws when a call may not go where it would (the provider policy, activities/policy.ts). */
export type DestinationGuard = (to: Destination) => void;

/**
 * Finds the client for a participant's model. Participants that set their own baseURL or apiKeyEnv
 * (every openai-compatible one) get a client per baseURL + apiKeyEnv, built on first use and reused,
 * once the guard has let the pair through: before the key is read, so a refused call sends nothing.
 */
export class ClientResolver {
  private readonly cache = new Map<string, OpenAI | Anthropic>();

  constructor(
    private readonly defaults: ProviderClients,
    private readonly env: WorkerEnv,
    private readonly secrets: SecretRegistry,
    private readonly guard: DestinationGuard = () => undefined,
  ) {
    secrets.add(defaults.openai?.apiKey);
    secrets.add(defaults.anthropic?.apiKey);
    // The standard keys are credentials of this worker even before a call uses them.
    secrets.add(env[PROVIDER_ENV.openai.apiKey]);
    secrets.add(env[PROVIDER_ENV.anthropic.apiKey]);
  }

  /** The openai SDK client for provider "openai" or "openai-compatible"; throws ProviderKeyMissing. */
  openai(spec: ModelSpec): OpenAI {
    const to = destinationOf(spec, this.env);
    if (!to) return this.defaults.openai ?? this.missing(spec, PROVIDER_ENV.openai.apiKey);
    return this.cached('openai', to, spec, (key) => openaiClient(to.baseURL, key ?? NO_KEY));
  }

  /** The Anthropic SDK client for provider "anthropic"; throws ProviderKeyMissing. */
  anthropic(spec: ModelSpec): Anthropic {
    const to = destinationOf(spec, this.env);
    if (!to) return this.defaults.anthropic ?? this.missing(spec, PROVIDER_ENV.anthropic.apiKey);
    return this.cached('anthropic', to, spec, (key) => anthropicClient(to.baseURL, key ?? NO_KEY));
  }

  private cached<T extends OpenAI | Anthropic>(
    sdk: 'openai' | 'anthropic',
    { keyEnv, baseURL }: Destination,
    spec: ModelSpec,
    create: (key: string | undefined) => T,
  ): T {
    this.guard({ keyEnv, baseURL });
    const cacheKey = JSON.stringify([sdk, baseURL, keyEnv ?? null]);
    const hit = this.cache.get(cacheKey);
    if (hit) return hit as T;
    const key = keyEnv === undefined ? undefined : this.env[keyEnv];
    if (keyEnv !== undefined && !key) return this.missing(spec, keyEnv);
    this.secrets.add(key);
    const client = create(key);
    this.cache.set(cacheKey, client);
    return client;
  }

  private missing(spec: ModelSpec, envVar: string): never {
    throw providerKeyMissing(spec.provider, envVar);
  }
}

function openaiClient(baseURL: string | undefined, apiKey: string): OpenAI {
  return new OpenAI({ apiKey, baseURL: baseURL || PROVIDER_ENV.openai.defaultBaseURL, maxRetries: 0 });
}

function anthropicClient(baseURL: string | undefined, apiKey: string): Anthropic {
  return new Anthropic({ apiKey, baseURL: baseURL || PROVIDER_ENV.anthropic.defaultBaseURL, maxRetries: 0 });
}
