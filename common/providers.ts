import { z } from 'zod';
import { INPUT_LIMITS } from './inputLimits';
import { priceSchema } from './prices';

// The workflow-safe half of the provider registry: names and the model spec each provider takes.
// The other half (keys, clients, calls, errors) is activities/providers/registry.ts, which needs the
// SDKs and so must stay out of workflow code. A provider is a row here and a row there.

const modelId = z
  .string()
  .min(1, 'model must name a model, e.g. "gpt-4o-mini"')
  .max(INPUT_LIMITS.maxModelIdChars);

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
