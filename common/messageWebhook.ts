import { z } from 'zod';
import { INPUT_LIMITS } from './inputLimits';
import { addProblem } from './validation';

/**
 * Patch id of the message webhook (workflows/council/delivery.ts): its policy check at start and one
 * delivery activity per stored message. Only a council with `messageWebhook` records the marker.
 */
export const MESSAGE_WEBHOOK_PATCH = 'council-message-webhook';

/** The header that carries a delivery's idempotency key: `<councilId>/<messageId>`. */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/** Bounds of a webhook: its retries, its per-attempt timeout, its headers and its request body. */
export const WEBHOOK_LIMITS = {
  defaultMaxAttempts: 5,
  maxAttempts: 20,
  defaultTimeoutMs: 10_000,
  maxTimeoutMs: 60_000,
  maxHeaders: 10,
  /** A stored message is at most COUNCIL_LIMITS.maxStoredMessageChars: its JSON fits well within this. */
  maxBodyBytes: 256 * 1024,
  /** The result lists at most this many failed deliveries (and counts them all). */
  maxFailuresListed: 50,
} as const;

/** Headers council sets itself: a config may not override them. */
const RESERVED_HEADERS = ['idempotency-key', 'content-type', 'content-length', 'host'];

const headerNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a header name like "Authorization"')
  .refine((name) => !RESERVED_HEADERS.includes(name.toLowerCase()), 'is set by council itself');

/**
 * Where a council POSTs every message it stores, from the worker (see README "Message webhook").
 * Header values are the worker's env vars, named here: a value never enters the workflow's history.
 */
export const messageWebhookSchema = z
  .object({
    url: z
      .string()
      .max(INPUT_LIMITS.maxUrlChars)
      .url('must be a URL, e.g. "https://hooks.example.com/council"')
      .refine((url) => /^https?:\/\//i.test(url), 'must be an http:// or https:// URL'),
    /** Header name → the name of the worker env var whose value it carries, e.g. {"Authorization": "HOOK_TOKEN"}. */
    headersEnv: z
      .record(
        headerNameSchema,
        z
          .string()
          .max(INPUT_LIMITS.maxEnvNameChars)
          .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an env var name like HOOK_TOKEN'),
      )
      .refine((headers) => Object.keys(headers).length <= WEBHOOK_LIMITS.maxHeaders, 'at most 10 headers')
      .optional(),
    /** Attempts per message (the first included) before it is recorded as failed. */
    maxAttempts: z.number().int().min(1).max(WEBHOOK_LIMITS.maxAttempts).optional(),
    /** How long one attempt may take. */
    timeoutMs: z.number().int().min(100).max(WEBHOOK_LIMITS.maxTimeoutMs).optional(),
  })
  .strict();
export type MessageWebhook = z.infer<typeof messageWebhookSchema>;

/** A webhook delivers messages: a council without `enableMessaging` stores none for it to send. */
export function checkMessageWebhook(
  context: { enableMessaging: boolean; messageWebhook?: MessageWebhook },
  ctx: z.RefinementCtx,
): void {
  if (context.messageWebhook && !context.enableMessaging) {
    addProblem(
      ctx,
      ['messageWebhook'],
      'messageWebhook delivers messages: set "enableMessaging": true, or remove it',
    );
  }
}

/** How a council's deliveries went, in its result: failures are listed (up to a bound), never raised. */
export interface MessageWebhookResult {
  delivered: number;
  failed: number;
  /** The first WEBHOOK_LIMITS.maxFailuresListed failures: which message, and the last attempt's error. */
  failures: Array<{ messageId: string; error: string }>;
}

/** The key a receiver drops duplicates by: stable across retries, replays and worker restarts. */
export function idempotencyKeyOf(councilId: string, messageId: string): string {
  return `${councilId}/${messageId}`;
}

/** One line for `council run` and `council show`: how many messages reached the webhook, the first failure. */
export function describeWebhookOutcome(outcome: MessageWebhookResult): string {
  const [first] = outcome.failures;
  const failure = first ? `; message ${first.messageId}: ${first.error}` : '';
  return `Message webhook: ${outcome.delivered} delivered, ${outcome.failed} failed${failure}`;
}
