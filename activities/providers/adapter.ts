import { format } from 'node:util';
import { printable } from '../../common/printable';
import { fetchWithoutRedirects } from './noRedirect';
import type { ProviderName } from '../../common/llm';
import type { ProviderFacts } from '../../common/providers';
import type { AdapterCall, ProviderResult } from './common';

/**
 * What the shared classifier needs to know of a provider's error. `connection`: the request never got
 * an answer. `api`: the provider answered with an error (a status), or broke off a stream with one
 * (no status, only its `errorType`).
 */
export type ProviderErrorInfo =
  | { kind: 'connection' }
  | {
      kind: 'api';
      status?: number;
      /** The provider's own name for the error (`rate_limit_error`, `insufficient_quota`...). */
      errorType?: string;
      headers?: Headers;
      requestId?: string;
    };

/** How a client is made: the key may be absent for servers that take none. */
export interface ClientSettings {
  apiKey: string | undefined;
  /** Undefined only for a provider with no server of its own, whose spec must then name one. */
  baseURL: string | undefined;
  /**
   * The worker's own client for the provider (its standard variables), which the operator configured:
   * the SDK may add what it reads from the environment (OpenAI's organization and project, either
   * SDK's custom headers). A participant's own server gets its key alone (docs/security.md).
   */
  operatorsOwn: boolean;
}

/** The most of one SDK log entry printed: the SDKs quote what a server sent, which may be megabytes. */
const MAX_LOG_CHARS = 2000;

function logLine(...args: unknown[]): void {
  const text = printable(format(...args)).replace(/\s*\n\s*/g, ' ');
  const cut = text.length > MAX_LOG_CHARS ? `${text.slice(0, MAX_LOG_CHARS)}… (cut)` : text;
  process.stderr.write(`${cut}\n`);
}

/**
 * The provider SDKs' own log (a stream they cannot parse, OPENAI_LOG=debug): each entry one printable
 * line on stderr, bounded, since it quotes what a server sent (escape sequences included).
 */
const sdkLogger = { error: logLine, warn: logLine, info: logLine, debug: logLine };

/**
 * What every provider SDK client is built with: no retries of its own (Temporal retries the call,
 * counted), no redirect followed (noRedirect.ts), and its log printable.
 */
export const SDK_CLIENT_OPTIONS = { maxRetries: 0, fetch: fetchWithoutRedirects, logger: sdkLogger };

/**
 * A null for each header the SDK's `<PROVIDER>_CUSTOM_HEADERS` variable names ("Name: value" lines,
 * as the SDKs read it): given as default headers, it keeps the SDK from sending any of them.
 */
export function withoutCustomHeaders(variable: string): Record<string, null> {
  const names = (process.env[variable] ?? '').split('\n').map((line) => line.split(':', 1)[0]?.trim());
  return Object.fromEntries(names.filter((name) => name).map((name) => [name, null]));
}

/**
 * One provider, in one file: its facts (common/providers.ts), how its SDK client is built, how a call
 * is made, and how its SDK's errors read. Registered in activities/providers/registry.ts. Clients are
 * built with SDK retries off: the activity retry policy owns retries.
 */
export interface ProviderAdapter<
  Client = unknown,
  Name extends ProviderName = ProviderName,
> extends ProviderFacts<Name> {
  createClient(settings: ClientSettings): Client;
  /**
   * Loads the SDK, which otherwise loads with the first client: a CLI that starts a server loads it
   * while the server boots. What it returns (the SDK, or a promise of it) is not for use. It may throw
   * or reject (an install without the SDK): the first client fails the same way.
   */
  loadSdk(): unknown;
  /** The key a client was built with, so it is scrubbed from answers and errors. */
  keyOf(client: Client): string | undefined;
  /** Makes the call; streams unless `request.stream === false`. Errors are left to the classifier. */
  call(client: Client, call: AdapterCall): Promise<ProviderResult>;
  /** Reads an error this provider's SDK threw; undefined for any other error. */
  describeError(error: unknown): ProviderErrorInfo | undefined;
}
