import { z } from 'zod';
import { INPUT_LIMITS } from './inputLimits';
import { priceSchema } from './prices';

// The SDK-free half of the provider registry: names, the model spec each provider takes, and where its
// key and server come from. The other half (clients, calls, errors) is activities/providers/registry.ts,
// which needs the SDKs and so stays out of workflow code and out of what the CLI loads to read a config.
// A provider is a row here (in PROVIDER_SPECS and PROVIDER_FACTS) and a row there.

const modelId = z
  .string()
  .min(1, 'model must name a model, e.g. "gpt-4o-mini"')
  .max(INPUT_LIMITS.maxModelIdChars)
  // No provider's model id holds white space: one copied with a line break or a space would pass
  // every check here and fail only at the provider, as an unknown model.
  .refine(
    (id) => !/[\s\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/u.test(id),
    'model must be a model id without spaces, line breaks or control characters, e.g. "gpt-4o-mini"',
  );

/** A server's URL; `whenMissing` is the message for a spec that must name one and does not. */
const baseURL = (whenMissing?: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? whenMissing : undefined) })
    .max(INPUT_LIMITS.maxUrlChars)
    .url()
    // Only the network: a file:, ftp: or data: URL must never be handed to an SDK.
    .refine(
      (url) => /^https?:\/\//i.test(url),
      'baseURL must be an http:// or https:// URL, e.g. "http://localhost:11434/v1"',
    );

const apiKeyEnv = z
  .string()
  .max(INPUT_LIMITS.maxEnvNameChars)
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'apiKeyEnv must be an environment variable name like MY_API_KEY');

/**
 * What most providers take: a model, and optionally a server and key of the participant's own. Holds
 * the *name* of the env var with the key, never the key: keys live only in the worker's environment.
 */
const standardFields = {
  model: modelId,
  baseURL: baseURL().optional(),
  apiKeyEnv: apiKeyEnv.optional(),
  /** This model's price, over the shipped table's (common/prices.ts); needed for unknown models under a money budget. */
  price: priceSchema.optional(),
};

/** One row per provider: its name (the `provider` field) and the spec a participant gives for it. */
export const PROVIDER_SPECS = [
  z.object({ provider: z.literal('openai'), ...standardFields }).strict(),
  z.object({ provider: z.literal('anthropic'), ...standardFields }).strict(),
  // The openai SDK pointed at another server (Ollama, vLLM, OpenRouter...): the server is the point.
  z
    .object({
      provider: z.literal('openai-compatible'),
      ...standardFields,
      baseURL: baseURL(
        'provider "openai-compatible" needs a baseURL, e.g. "http://localhost:11434/v1" for Ollama',
      ),
    })
    .strict(),
  z.object({ provider: z.literal('gemini'), ...standardFields }).strict(),
] as const;

/** Which model a participant talks to, discriminated on `provider`. */
export const modelSpecSchema = z.discriminatedUnion('provider', PROVIDER_SPECS);
export type ModelSpec = z.infer<typeof modelSpecSchema>;

/** The providers council can call. */
export type ProviderName = ModelSpec['provider'];
export const PROVIDERS: readonly ProviderName[] = PROVIDER_SPECS.map((spec) => spec.shape.provider.value);

/**
 * Where a provider's key and server come from, for participants that name neither. Kept as plain
 * data so that whatever decides which keys may go to which hosts can read it.
 */
export interface ProviderEnvFacts {
  /**
   * The env vars that hold the provider's standard key, the preferred one first. Empty when the
   * provider has no standard key (openai-compatible servers: each participant names its own, if any).
   */
  apiKeyEnv: readonly string[];
  /** The env var that moves the provider's standard server (a proxy, a gateway, a local mock). */
  baseURLEnv?: string;
  /** The provider's own server: where the standard key is sent when nothing else is said. */
  defaultBaseURL?: string;
}

/** What is known of a provider without its SDK. */
export interface ProviderFacts<Name extends ProviderName = ProviderName> {
  readonly name: Name;
  readonly env: ProviderEnvFacts;
  /** Two models (a small one first) for `council run` without a config, when this key is set. */
  readonly defaultModels?: readonly [string, string];
  /** Where a server speaking this provider's protocol at `origin` serves it (aimock, for simulated runs). */
  mockBaseURL(origin: string): string;
}

export const PROVIDER_FACTS = {
  openai: {
    name: 'openai',
    env: {
      apiKeyEnv: ['OPENAI_API_KEY'],
      baseURLEnv: 'OPENAI_BASE_URL',
      defaultBaseURL: 'https://api.openai.com/v1',
    },
    defaultModels: ['gpt-4o-mini', 'gpt-4o'],
    mockBaseURL: (origin) => `${origin}/v1`,
  },
  anthropic: {
    name: 'anthropic',
    env: {
      apiKeyEnv: ['ANTHROPIC_API_KEY'],
      baseURLEnv: 'ANTHROPIC_BASE_URL',
      defaultBaseURL: 'https://api.anthropic.com',
    },
    defaultModels: ['claude-haiku-4-5', 'claude-sonnet-4-6'],
    mockBaseURL: (origin) => origin,
  },
  'openai-compatible': {
    name: 'openai-compatible',
    env: { apiKeyEnv: [] },
    mockBaseURL: (origin) => `${origin}/v1`,
  },
  gemini: {
    name: 'gemini',
    env: {
      // The SDK's own names for the key; GEMINI_API_KEY is the one Google's docs use.
      apiKeyEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
      baseURLEnv: 'GEMINI_BASE_URL',
      defaultBaseURL: 'https://generativelanguage.googleapis.com',
    },
    defaultModels: ['gemini-2.5-flash', 'gemini-2.5-pro'],
    mockBaseURL: (origin) => origin,
  },
} as const satisfies { [P in ProviderName]: ProviderFacts<P> };

/** Every provider's facts, in registry order (the order of start-up warnings and of the default config's choice). */
export const ALL_PROVIDER_FACTS: readonly ProviderFacts[] = Object.values(PROVIDER_FACTS);

/** A worker's environment variables (process.env, or a plain object in tests). */
export type WorkerEnv = Readonly<Record<string, string | undefined>>;

/** The first of a provider's standard key variables that is set, or undefined. */
export function standardKeyEnv(provider: { env: ProviderEnvFacts }, env: WorkerEnv): string | undefined {
  return provider.env.apiKeyEnv.find((name) => Boolean(env[name]));
}

/** Every env var a provider reads: its standard keys and base URL variables. */
export function providerEnvVars(): string[] {
  return ALL_PROVIDER_FACTS.flatMap((provider) => [
    ...provider.env.apiKeyEnv,
    ...(provider.env.baseURLEnv ? [provider.env.baseURLEnv] : []),
  ]);
}
