import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { FailureType } from '../common/failures';
import {
  IDEMPOTENCY_HEADER,
  messageWebhookSchema,
  WEBHOOK_LIMITS,
  type MessageWebhook,
} from '../common/messageWebhook';
import { zodProblem } from '../common/validation';
import type { WorkerEnv } from './clients';
import { linkedSignal } from '../common/linkedSignal';
import type { ProviderPolicy } from './policy';
import type { LlmActivities, WebhookDelivery } from './types';

const deliverySchema = z
  .object({
    webhook: messageWebhookSchema,
    body: z
      .object({
        councilId: z.string().min(1).max(1000),
        idempotencyKey: z.string().min(1).max(1200),
        message: z.object({ id: z.string().min(1).max(200), content: z.string() }).passthrough(),
      })
      .strict(),
  })
  .strict();

/**
 * Why the worker's provider policy forbids this webhook, or null: a webhook with secret headers goes
 * only where each header's env var may be sent (`keys`), one without only to a `keyless` server.
 */
export function webhookRefusal(policy: ProviderPolicy, webhook: MessageWebhook): string | null {
  const keys = Object.values(webhook.headersEnv ?? {});
  const refusals = (keys.length > 0 ? keys : [undefined]).map((keyEnv) =>
    policy.refusal({ keyEnv, baseURL: webhook.url }),
  );
  const refusal = refusals.find((text) => text !== undefined);
  return refusal === undefined ? null : `messageWebhook ${webhook.url}: ${refusal}`;
}

/**
 * The message webhook's activities over the worker's policy and env: the check a council runs at
 * start, and one POST per message, refused again here before any header value is read.
 */
export function createWebhookActivities(
  policy: ProviderPolicy,
  env: WorkerEnv,
): Pick<LlmActivities, 'checkMessageWebhook' | 'deliverMessage'> {
  return {
    async checkMessageWebhook(webhook) {
      return webhookRefusal(policy, parsed(messageWebhookSchema, webhook, 'message webhook'));
    },
    async deliverMessage(input: WebhookDelivery) {
      const { webhook, body } = parsed(deliverySchema, input, 'message delivery');
      const refusal = webhookRefusal(policy, webhook);
      if (refusal !== null) throw failure(FailureType.ProviderPolicyRefused, refusal, true);
      const text = JSON.stringify(body);
      if (Buffer.byteLength(text) > WEBHOOK_LIMITS.maxBodyBytes) {
        const problem = `message ${body.message.id} is over ${WEBHOOK_LIMITS.maxBodyBytes} bytes as JSON`;
        throw failure(FailureType.PayloadTooLarge, problem, true);
      }
      const headers: Record<string, string> = {
        ...secretHeaders(webhook, env),
        'content-type': 'application/json',
        [IDEMPOTENCY_HEADER]: body.idempotencyKey,
      };
      const origin = new URL(webhook.url).origin;
      const timeoutMs = webhook.timeoutMs ?? WEBHOOK_LIMITS.defaultTimeoutMs;
      const request = linkedSignal([Context.current().cancellationSignal, AbortSignal.timeout(timeoutMs)]);
      let response: Response;
      try {
        // A redirect could lead anywhere, past the policy: it is refused, never followed.
        response = await fetch(webhook.url, {
          method: 'POST',
          headers,
          body: text,
          redirect: 'manual',
          signal: request.signal,
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
        throw failure(FailureType.WebhookUnavailable, `webhook ${origin} could not be reached: ${cause}`);
      } finally {
        request.release();
      }
      // Only the status matters; the body is not read (it could be of any size).
      await response.body?.cancel();
      const { status } = response;
      if (status >= 200 && status < 300) return { status };
      const retryable = status >= 500 || status === 408 || status === 429;
      const type = retryable ? FailureType.WebhookUnavailable : FailureType.WebhookRejected;
      throw failure(type, `webhook ${origin} answered HTTP ${status}`, !retryable);
    },
  };
}

/** Each configured header with the value of the env var it names; a variable that is not set is an error. */
function secretHeaders(webhook: MessageWebhook, env: WorkerEnv): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [header, name] of Object.entries(webhook.headersEnv ?? {})) {
    const value = env[name];
    if (!value) {
      const problem = `messageWebhook header ${header}: the worker has no env var ${name}: set it on the worker`;
      throw failure(FailureType.ProviderKeyMissing, problem, true);
    }
    headers[header] = value;
  }
  return headers;
}

function parsed<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw failure(FailureType.InvalidRequest, `invalid ${what}: ${zodProblem(result.error)}`, true);
}

function failure(type: string, message: string, nonRetryable = false): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable });
}
