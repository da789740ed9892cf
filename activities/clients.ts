import type { ModelSpec, ProviderName } from '../common/llm';
import { providerKeyMissing } from './classify';
import type { ProviderAdapter } from './providers/adapter';
import { adapterOf, ALL_ADAPTERS, standardKeyEnv, type ClientOf, type WorkerEnv } from './providers/registry';
import type { SecretRegistry } from './redact';

export type { WorkerEnv } from './providers/registry';

/**
 * Provider clients, created once per worker and injected into {@link createLlmActivities}. Each
 * serves the participants of its provider that name no baseURL or apiKeyEnv of their own.
 */
export type ProviderClients = { [P in ProviderName]?: ClientOf<P> };

/**
 * The default clients for a worker, from each provider's standard key and base URL variables (e.g.
 * OPENAI_API_KEY / OPENAI_BASE_URL). A provider without a key gets no client; its calls fail with
 * ProviderKeyMissing. Each client is built when first read: building one loads its provider's SDK
 * (activities/providers/lazySdk.ts), which a worker that never calls that provider need not pay for.
 */
export function providerClientsFromEnv(env: WorkerEnv): ProviderClients {
  const clients: Partial<Record<ProviderName, unknown>> = {};
  for (const adapter of ALL_ADAPTERS) {
    const keyEnv = standardKeyEnv(adapter, env);
    if (keyEnv === undefined) continue;
    const settings = { apiKey: env[keyEnv], baseURL: baseURLOf(adapter, env), operatorsOwn: true };
    let client: unknown;
    Object.defineProperty(clients, adapter.name, {
      enumerable: true,
      get: () => (client ??= adapter.createClient(settings)),
    });
  }
  return clients as ProviderClients;
}

/** One line per provider whose standard key is missing, for the worker to print at start-up. */
export function missingProviderKeys(env: WorkerEnv): string[] {
  return ALL_ADAPTERS.filter(
    (adapter) => adapter.env.apiKeyEnv.length > 0 && standardKeyEnv(adapter, env) === undefined,
  ).map(
    (adapter) =>
      `${adapter.env.apiKeyEnv.join(' or ')} is not set: participants with provider "${adapter.name}" ` +
      `will fail with ProviderKeyMissing unless they name their own apiKeyEnv`,
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
  if (spec.baseURL === undefined && spec.apiKeyEnv === undefined && spec.provider !== 'openai-compatible')
    return undefined;
  const adapter = adapterOf(spec.provider);
  const keyEnv = spec.apiKeyEnv ?? standardKeyEnv(adapter, env) ?? adapter.env.apiKeyEnv[0];
  return { keyEnv, baseURL: spec.baseURL ?? baseURLOf(adapter, env) ?? '' };
}

/** Throws when a call may not go where it would (the provider policy, activities/policy.ts). */
export type DestinationGuard = (to: Destination) => void;

/**
 * Finds the client for a participant's model. Participants that set their own baseURL or apiKeyEnv
 * (every openai-compatible one) get a client per provider + baseURL + apiKeyEnv, built on first use
 * and reused, once the guard has let the pair through: before the key is read, so a refused call
 * sends nothing.
 */
export class ClientResolver {
  private readonly cache = new Map<string, unknown>();

  constructor(
    private readonly defaults: ProviderClients,
    private readonly env: WorkerEnv,
    private readonly secrets: SecretRegistry,
    private readonly guard: DestinationGuard = () => undefined,
  ) {
    for (const adapter of ALL_ADAPTERS) {
      // A client built on first read (providerClientsFromEnv) is not built here; its key is added
      // when it is first used, below, and a standard key is added with the env's just after.
      const client = Object.getOwnPropertyDescriptor(defaults, adapter.name)?.value as unknown;
      if (client !== undefined) secrets.add(adapter.keyOf(client));
      // The standard keys are credentials of this worker even before a call uses them.
      for (const name of adapter.env.apiKeyEnv) secrets.add(env[name]);
    }
  }

  /** The SDK client for a participant's model; throws ProviderKeyMissing, naming `worker` when known. */
  client(spec: ModelSpec, worker?: string): unknown {
    const adapter = adapterOf(spec.provider);
    const own = spec.baseURL !== undefined || spec.apiKeyEnv !== undefined;
    const fallback = own ? undefined : this.defaults[spec.provider];
    if (fallback !== undefined) {
      this.secrets.add(adapter.keyOf(fallback));
      return fallback;
    }
    const keyEnv = spec.apiKeyEnv ?? standardKeyEnv(adapter, this.env) ?? adapter.env.apiKeyEnv[0];
    const baseURL = spec.baseURL ?? baseURLOf(adapter, this.env);
    this.guard({ keyEnv, baseURL: baseURL ?? '' });
    const cacheKey = JSON.stringify([spec.provider, baseURL, keyEnv ?? null]);
    const hit = this.cache.get(cacheKey);
    if (hit !== undefined) return hit;
    const apiKey = keyEnv === undefined ? undefined : this.env[keyEnv];
    if (keyEnv !== undefined && !apiKey) {
      throw providerKeyMissing(spec.provider, spec.apiKeyEnv ? [keyEnv] : adapter.env.apiKeyEnv, worker);
    }
    this.secrets.add(apiKey);
    const client = adapter.createClient({ apiKey, baseURL, operatorsOwn: false });
    this.cache.set(cacheKey, client);
    return client;
  }
}

/** The provider's server for participants that name none: its base URL variable, else its own. */
function baseURLOf(adapter: ProviderAdapter, env: WorkerEnv): string | undefined {
  return (adapter.env.baseURLEnv && env[adapter.env.baseURLEnv]) || adapter.env.defaultBaseURL;
}
