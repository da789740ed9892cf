import { ApplicationFailure } from '@temporalio/common';
import { FailureType, isRetryableFailureType, type FailureTypeName } from '../common/failures';
import type { ProviderName } from '../common/llm';
import type { ProviderErrorInfo } from './providers/adapter';
import { FirstByteTimeoutError, IncompleteStreamError, StreamIdleError } from './providers/common';
import { redirectRefusalOf } from './providers/noRedirect';
import { adapterOf, ALL_ADAPTERS } from './providers/registry';
import type { SecretRegistry } from './redact';

/** Longest Retry-After honoured, as the SDKs do; a longer wait is left to the retry policy's backoff. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** Error types in a provider's body, for errors that arrive without a status (inside a stream). */
const BY_ERROR_TYPE: Readonly<Record<string, FailureTypeName>> = {
  overloaded_error: FailureType.ProviderServerError,
  api_error: FailureType.ProviderServerError,
  server_error: FailureType.ProviderServerError,
  timeout_error: FailureType.ProviderTransient,
  rate_limit_error: FailureType.ProviderRateLimited,
  invalid_request_error: FailureType.ProviderBadRequest,
  request_too_large: FailureType.ProviderBadRequest,
  authentication_error: FailureType.ProviderAuthentication,
  permission_error: FailureType.ProviderAuthentication,
  not_found_error: FailureType.ProviderNotFound,
  billing_error: FailureType.ProviderQuotaExceeded,
  insufficient_quota: FailureType.ProviderQuotaExceeded,
};

/** undici's names for a socket that closed or never opened; the SDKs pass these through mid-stream. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET']);

type ApiErrorInfo = Extract<ProviderErrorInfo, { kind: 'api' }>;

/**
 * Turns any error of a provider call into an ApplicationFailure whose type is a {@link FailureType}
 * constant, retryable or not as that type says, with the provider's Retry-After as `nextRetryDelay`.
 * The message is scrubbed of every key in `secrets`, and the original error is not attached: its
 * request and headers could carry a key.
 */
export function classifyProviderError(
  error: unknown,
  provider: ProviderName,
  secrets: SecretRegistry,
): ApplicationFailure {
  const redirect = redirectRefusalOf(error);
  if (redirect) {
    return failure(FailureType.ProviderPolicyRefused, secrets.redact(`${provider}: ${redirect.message}`), {
      provider,
      status: redirect.status,
    });
  }
  const message = secrets.redact(`${provider}: ${messageOf(error)}`);
  const info = describeError(error, provider);
  if (info?.kind !== 'api') return failure(networkType(error, info), message, { provider });
  if (info.status === undefined) {
    // A server that breaks off a stream with an unfamiliar error is still the server failing.
    const type = BY_ERROR_TYPE[info.errorType ?? ''] ?? FailureType.ProviderServerError;
    return failure(type, message, { provider });
  }
  const type = typeOfStatus(info, info.status);
  const details = { provider, status: info.status, requestId: info.requestId };
  const delay = isRetryableFailureType(type) ? retryDelayMs(info.headers) : undefined;
  return failure(type, message, details, delay);
}

/**
 * The failure for a participant whose provider key is not in the worker's environment. `worker` is
 * the identity of the worker that took the call: with several workers on a queue (a `council server
 * --worker` and a CLI's own), the one without the key is the one to fix.
 */
export function providerKeyMissing(
  provider: ProviderName,
  envVars: readonly string[],
  worker?: string,
): ApplicationFailure {
  const names = envVars.join(' or ');
  const message = worker
    ? `${provider}: ${names} is not set on worker "${worker}", which took this call; set it in that ` +
      `worker's environment and restart it, or serve the run from a worker that has it`
    : `${provider}: ${names} is not set in the worker's environment; set it and restart the worker`;
  return failure(FailureType.ProviderKeyMissing, message, { provider, envVar: envVars[0], worker });
}

/**
 * The provider's own adapter reads the error first; the others next, since an error can come from
 * another SDK than the participant's (a shared transport, a test).
 */
function describeError(error: unknown, provider: ProviderName): ProviderErrorInfo | undefined {
  const own = adapterOf(provider);
  for (const adapter of [own, ...ALL_ADAPTERS.filter((other) => other !== own)]) {
    const info = adapter.describeError(error);
    if (info) return info;
  }
  return undefined;
}

function typeOfStatus(info: ApiErrorInfo, status: number): FailureTypeName {
  if (status === 402 || info.errorType === 'billing_error' || info.errorType === 'insufficient_quota') {
    return FailureType.ProviderQuotaExceeded;
  }
  if (info.headers?.get('x-should-retry') === 'true') return FailureType.ProviderTransient;
  if (status === 408 || status === 409) return FailureType.ProviderTransient;
  if (status === 429) return FailureType.ProviderRateLimited;
  if (status >= 500) return FailureType.ProviderServerError;
  if (status === 401 || status === 403) return FailureType.ProviderAuthentication;
  if (status === 404) return FailureType.ProviderNotFound;
  // 400, 413, 422 and any other 4xx: the request itself is wrong, and sending it again will not help.
  return FailureType.ProviderBadRequest;
}

function networkType(error: unknown, info: ProviderErrorInfo | undefined): FailureTypeName {
  if (error instanceof FirstByteTimeoutError) return FailureType.ProviderFirstByteTimeout;
  if (error instanceof StreamIdleError) return FailureType.ProviderStreamIdle;
  if (info?.kind === 'connection' || error instanceof IncompleteStreamError || isNetworkError(error)) {
    return FailureType.ProviderConnectionError;
  }
  // Not a provider error at all (a bug, a malformed chunk): worth a bounded retry, reported as the server's.
  return FailureType.ProviderServerError;
}

/**
 * undici reports a socket closed mid-body as `TypeError: terminated` with the socket error as cause.
 * Checked by shape, not `instanceof`: undici's errors come from Node's own realm, which is not the
 * realm of this module under a test runner's VM context.
 */
function isNetworkError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; typeof current === 'object' && current !== null && depth < 5; depth += 1) {
    const { code, name, message, cause } = current as {
      code?: unknown;
      name?: unknown;
      message?: unknown;
      cause?: unknown;
    };
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (name === 'TypeError' && (message === 'terminated' || message === 'fetch failed')) return true;
    current = cause;
  }
  return false;
}

/** An error's message, whatever realm or shape it comes from. */
function messageOf(error: unknown): string {
  const message =
    typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : String(error);
}

/** The wait a provider asked for: `retry-after-ms`, else `retry-after` in seconds or as an HTTP date. */
export function retryDelayMs(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  const milliseconds = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  const retryAfter = headers?.get('retry-after') ?? '';
  const seconds = Number.parseFloat(retryAfter);
  const delay = Number.isFinite(milliseconds)
    ? milliseconds
    : Number.isFinite(seconds)
      ? seconds * 1000
      : Date.parse(retryAfter) - now;
  return delay > 0 && delay <= MAX_RETRY_AFTER_MS ? Math.ceil(delay) : undefined;
}

function failure(
  type: FailureTypeName,
  message: string,
  details: Record<string, unknown>,
  nextRetryDelayMs?: number,
): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: !isRetryableFailureType(type),
    details: [details],
    ...(nextRetryDelayMs !== undefined && { nextRetryDelay: nextRetryDelayMs }),
  });
}
