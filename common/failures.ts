/**
 * Every failure type council raises, named once. Retry policies, error classification and tests
 * refer to these constants, never to string literals.
 */
export const FailureType = {
  /** 429: retried, honouring Retry-After. */
  ProviderRateLimited: 'ProviderRateLimited',
  /** 5xx (Anthropic 529 included): retried. */
  ProviderServerError: 'ProviderServerError',
  /** 408/409 or `x-should-retry: true`: retried. */
  ProviderTransient: 'ProviderTransient',
  /** Connection refused/reset, mid-stream disconnect, client-side timeout: retried. */
  ProviderConnectionError: 'ProviderConnectionError',
  /**
   * The provider took the request and did not begin its response within the participant's
   * `timeouts.firstByteMs`: the request is aborted and retried.
   */
  ProviderFirstByteTimeout: 'ProviderFirstByteTimeout',
  /**
   * A stream that had begun went silent (no chunk) for the participant's `timeouts.streamIdleMs`:
   * the request is aborted and retried.
   */
  ProviderStreamIdle: 'ProviderStreamIdle',
  /** 400, 413, 422: the request itself is wrong; not retried. */
  ProviderBadRequest: 'ProviderBadRequest',
  /** 401/403: the key is wrong or lacks permission; not retried. */
  ProviderAuthentication: 'ProviderAuthentication',
  /** 404: unknown model or endpoint; not retried. */
  ProviderNotFound: 'ProviderNotFound',
  /** OpenAI `insufficient_quota`, Anthropic `billing_error`: not retried. */
  ProviderQuotaExceeded: 'ProviderQuotaExceeded',
  /** The worker has no API key for the provider a participant names; not retried. */
  ProviderKeyMissing: 'ProviderKeyMissing',
  /**
   * The worker's provider policy (COUNCIL_PROVIDER_POLICY) does not let this key go to this host, or
   * this host be called without a key: refused at session start, on adding a participant, and again
   * in the activity before any request; not retried.
   */
  ProviderPolicyRefused: 'ProviderPolicyRefused',
  /** A session or council request that fails validation; not retried. */
  InvalidRequest: 'InvalidRequest',
  /** A call whose request would pass Temporal's payload limit: recorded, never sent; not retried. */
  PayloadTooLarge: 'PayloadTooLarge',
  /** A strategy tried to keep more than LIMITS.maxStrategyStateBytes between rounds; not retried. */
  StrategyStateTooLarge: 'StrategyStateTooLarge',
  /**
   * A peer reviewer's answer could not be read as a ranking, on its first call and its one retry:
   * recorded as an abstention, never raised by an activity.
   */
  UnreadableRanking: 'UnreadableRanking',
  /** A call the session's budget refused before sending it: what it could cost does not fit. */
  BudgetExhausted: 'BudgetExhausted',
  /** A message webhook answered 5xx, 408 or 429, or could not be reached: retried. */
  WebhookUnavailable: 'WebhookUnavailable',
  /** A message webhook answered another non-2xx status (a redirect included): not retried. */
  WebhookRejected: 'WebhookRejected',
} as const;

export type FailureTypeName = (typeof FailureType)[keyof typeof FailureType];

/**
 * The error type of a call a person skipped (`council skip`, `skipParticipant`, `skipExpert`): no
 * failure, so not among {@link FailureType}; what council prints says "skipped by a person" for it.
 */
export const SKIPPED_BY_PERSON = 'Skipped';

/** Failure types that retrying cannot fix. Used as `nonRetryableErrorTypes` in every retry policy. */
export const NON_RETRYABLE_FAILURE_TYPES: readonly FailureTypeName[] = [
  FailureType.ProviderBadRequest,
  FailureType.ProviderAuthentication,
  FailureType.ProviderNotFound,
  FailureType.ProviderQuotaExceeded,
  FailureType.ProviderKeyMissing,
  FailureType.ProviderPolicyRefused,
  FailureType.InvalidRequest,
  FailureType.PayloadTooLarge,
  FailureType.StrategyStateTooLarge,
  FailureType.WebhookRejected,
];

/** True when retrying a failure of this type may succeed. */
export function isRetryableFailureType(type: string | undefined): boolean {
  return !NON_RETRYABLE_FAILURE_TYPES.includes(type as FailureTypeName);
}
