import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import {
  classifyProviderError,
  MAX_RETRY_AFTER_MS,
  providerKeyMissing,
  retryDelayMs,
} from '../../activities/classify';
import { IncompleteStreamError } from '../../activities/providers/common';
import { REDACTED, SecretRegistry } from '../../activities/redact';
import { FailureType, isRetryableFailureType, type FailureTypeName } from '../../common/failures';

// Errors below are built with the SDKs' own factories, exactly as the SDKs build them from a response.
// OpenAI's body is `{ error: { message, type, code } }`; the helpers take the inner object.
const openaiError = (status: number | undefined, error: object, headers: Record<string, string> = {}) =>
  OpenAI.APIError.generate(status, { error }, undefined, new Headers(headers));
const anthropicError = (status: number | undefined, body: object, headers: Record<string, string> = {}) =>
  Anthropic.APIError.generate(status, body, undefined, new Headers(headers));

const noSecrets = new SecretRegistry();

const STATUS_TABLE: Array<[number, FailureTypeName, boolean]> = [
  [400, FailureType.ProviderBadRequest, false],
  [401, FailureType.ProviderAuthentication, false],
  [403, FailureType.ProviderAuthentication, false],
  [404, FailureType.ProviderNotFound, false],
  [408, FailureType.ProviderTransient, true],
  [409, FailureType.ProviderTransient, true],
  [413, FailureType.ProviderBadRequest, false],
  [422, FailureType.ProviderBadRequest, false],
  [429, FailureType.ProviderRateLimited, true],
  [500, FailureType.ProviderServerError, true],
  [502, FailureType.ProviderServerError, true],
  [503, FailureType.ProviderServerError, true],
  [504, FailureType.ProviderServerError, true],
  [529, FailureType.ProviderServerError, true],
];

describe('classifyProviderError: statuses', () => {
  it.each(STATUS_TABLE)('OpenAI %i → %s (retryable: %s)', (status, type, retryable) => {
    const failure = classifyProviderError(openaiError(status, { message: 'no' }), 'openai', noSecrets);
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(!retryable);
    expect(isRetryableFailureType(failure.type ?? undefined)).toBe(retryable);
  });

  it.each(STATUS_TABLE)('Anthropic %i → %s (retryable: %s)', (status, type, retryable) => {
    const body = { type: 'error', error: { type: 'api_error', message: 'no' } };
    const failure = classifyProviderError(anthropicError(status, body), 'anthropic', noSecrets);
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(!retryable);
  });

  it('OpenAI 429 with code insufficient_quota is a non-retryable quota failure, not a rate limit', () => {
    const error = openaiError(429, {
      message: 'You exceeded your quota',
      type: 'insufficient_quota',
      code: 'insufficient_quota',
    });
    const failure = classifyProviderError(error, 'openai', noSecrets);
    expect(failure.type).toBe(FailureType.ProviderQuotaExceeded);
    expect(failure.nonRetryable).toBe(true);
  });

  it('Anthropic billing_error is a non-retryable quota failure', () => {
    const error = anthropicError(400, {
      type: 'error',
      error: { type: 'billing_error', message: 'credit balance too low' },
    });
    expect(classifyProviderError(error, 'anthropic', noSecrets)).toMatchObject({
      type: FailureType.ProviderQuotaExceeded,
      nonRetryable: true,
    });
  });

  it('x-should-retry: true makes an otherwise final status retryable', () => {
    const failure = classifyProviderError(
      openaiError(400, { message: 'x' }, { 'x-should-retry': 'true' }),
      'openai',
      noSecrets,
    );
    expect(failure).toMatchObject({ type: FailureType.ProviderTransient, nonRetryable: false });
  });

  it('names the provider, the status and the request id in the details', () => {
    const error = anthropicError(
      503,
      { type: 'error', error: { type: 'api_error', message: 'busy' } },
      { 'request-id': 'req_42' },
    );
    const failure = classifyProviderError(error, 'anthropic', noSecrets);
    expect(failure.details).toEqual([{ provider: 'anthropic', status: 503, requestId: 'req_42' }]);
    expect(failure.message).toContain('anthropic: 503');
  });
});

describe('classifyProviderError: errors without a status', () => {
  // What the SDKs throw for an `event: error` inside a stream: an APIError with no status.
  const streamError = (type: string) =>
    new Anthropic.APIError(
      undefined,
      { type: 'error', error: { type, message: type } },
      undefined,
      new Headers(),
      type as never,
    );

  it.each([
    ['overloaded_error', FailureType.ProviderServerError, true],
    ['api_error', FailureType.ProviderServerError, true],
    ['rate_limit_error', FailureType.ProviderRateLimited, true],
    ['timeout_error', FailureType.ProviderTransient, true],
    ['invalid_request_error', FailureType.ProviderBadRequest, false],
    ['authentication_error', FailureType.ProviderAuthentication, false],
    ['billing_error', FailureType.ProviderQuotaExceeded, false],
    ['something_new_error', FailureType.ProviderServerError, true],
  ] as const)('Anthropic stream error %s → %s', (type, expected, retryable) => {
    const failure = classifyProviderError(streamError(type), 'anthropic', noSecrets);
    expect(failure.type).toBe(expected);
    expect(failure.nonRetryable).toBe(!retryable);
  });

  it('OpenAI stream error (data.error in an SSE chunk) is classified by its type', () => {
    const error = new OpenAI.APIError(
      undefined,
      { message: 'boom', type: 'server_error' },
      undefined,
      undefined,
    );
    expect(classifyProviderError(error, 'openai', noSecrets).type).toBe(FailureType.ProviderServerError);
  });

  it.each([
    ['OpenAI connection error', new OpenAI.APIConnectionError({ message: 'Connection error.' })],
    ['OpenAI timeout', new OpenAI.APIConnectionTimeoutError()],
    ['Anthropic connection error', new Anthropic.APIConnectionError({ message: 'Connection error.' })],
    ['Anthropic timeout', new Anthropic.APIConnectionTimeoutError()],
    ['a stream cut before its end marker', new IncompleteStreamError('no finish_reason')],
    [
      "undici's mid-body socket close",
      new TypeError('terminated', {
        cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
      }),
    ],
  ])('%s → retryable ProviderConnectionError', (_label, error) => {
    const failure = classifyProviderError(error, 'openai', noSecrets);
    expect(failure).toMatchObject({ type: FailureType.ProviderConnectionError, nonRetryable: false });
  });

  it('an error that is no provider error at all still gets a FailureType, and a bounded retry', () => {
    const failure = classifyProviderError(new RangeError('unexpected'), 'openai', noSecrets);
    expect(failure).toMatchObject({ type: FailureType.ProviderServerError, nonRetryable: false });
  });
});

describe('retry delays', () => {
  it('uses retry-after-ms first, then retry-after in seconds, then retry-after as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryDelayMs(new Headers({ 'retry-after-ms': '1500', 'retry-after': '9' }), now)).toBe(1500);
    expect(retryDelayMs(new Headers({ 'retry-after': '2.5' }), now)).toBe(2500);
    expect(retryDelayMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }), now)).toBe(7000);
    expect(retryDelayMs(new Headers({}), now)).toBeUndefined();
    expect(retryDelayMs(undefined, now)).toBeUndefined();
  });

  it('ignores waits that are not positive or longer than the cap, leaving them to the retry policy', () => {
    expect(retryDelayMs(new Headers({ 'retry-after-ms': '0' }))).toBeUndefined();
    expect(retryDelayMs(new Headers({ 'retry-after': `${MAX_RETRY_AFTER_MS / 1000 + 1}` }))).toBeUndefined();
    expect(retryDelayMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
  });

  it('becomes nextRetryDelay on retryable failures only', () => {
    const limited = classifyProviderError(
      anthropicError(429, {}, { 'retry-after': '3' }),
      'anthropic',
      noSecrets,
    );
    expect(limited.nextRetryDelay).toBe(3000);
    const fromMs = classifyProviderError(
      openaiError(503, {}, { 'retry-after-ms': '250' }),
      'openai',
      noSecrets,
    );
    expect(fromMs.nextRetryDelay).toBe(250);
    const final = classifyProviderError(openaiError(401, {}, { 'retry-after': '3' }), 'openai', noSecrets);
    expect(final.nextRetryDelay).toBeUndefined();
  });
});

describe('secrets in failures', () => {
  it('scrubs known keys and anything shaped like a key from the message', () => {
    const secrets = new SecretRegistry();
    secrets.add('my-local-server-key-123');
    const error = openaiError(401, {
      message: 'Incorrect API key provided: my-local-server-key-123 (also tried sk-proj-abcdefghijklmnop)',
    });
    const failure = classifyProviderError(error, 'openai-compatible', secrets);
    expect(failure.message).not.toContain('my-local-server-key-123');
    expect(failure.message).not.toContain('sk-proj-abcdefghijklmnop');
    expect(failure.message).toContain(REDACTED);
    expect(failure.message).toContain('Incorrect API key provided');
  });

  it('a missing key is a non-retryable ProviderKeyMissing that names the env var', () => {
    const failure = providerKeyMissing('openai-compatible', ['OPENROUTER_API_KEY']);
    expect(failure).toMatchObject({ type: FailureType.ProviderKeyMissing, nonRetryable: true });
    expect(failure.message).toContain('OPENROUTER_API_KEY');
  });
});
