import { ApplicationFailure, isCancellation, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { patched } from '../shared/patches';
import type { LlmActivities } from '../../activities';
import type { CouncilContext, ExpertMessageData } from '../../common/council';
import type { ProgressEvent } from '../../common/councilApi';
import { FailureType, NON_RETRYABLE_FAILURE_TYPES } from '../../common/failures';
import {
  idempotencyKeyOf,
  MESSAGE_WEBHOOK_PATCH,
  WEBHOOK_LIMITS,
  type MessageWebhook,
  type MessageWebhookResult,
} from '../../common/messageWebhook';
import { stopIfCancelled } from './run';

const { checkMessageWebhook } = proxyActivities<LlmActivities>({
  startToCloseTimeout: '10s',
  summary: 'message webhook policy check',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES] },
});

/**
 * The durable counterpart of the client's `messageHandlers`: every message the council stores is
 * POSTed to its webhook by an activity of its own, whether a client follows or not. Deliveries run
 * beside the rounds (none waits for one) and a failed one is counted, never raised; the council
 * waits for the last of them before it completes, so none is abandoned.
 */
export class MessageDeliveries {
  private readonly pending: Promise<void>[] = [];
  /** Messages stored before the policy check passed (a person's, in the first workflow task). */
  private readonly held: ExpertMessageData[] = [];
  private open = false;
  private readonly outcome: MessageWebhookResult = { delivered: 0, failed: 0, failures: [] };

  constructor(
    private readonly webhook: MessageWebhook,
    private readonly councilId: string,
  ) {}

  /** The worker's policy on the webhook: a ProviderPolicyRefused failure to throw, or undefined. */
  async check(): Promise<ApplicationFailure | undefined> {
    const refusal = await checkMessageWebhook(this.webhook);
    if (refusal !== null) {
      return ApplicationFailure.create({
        type: FailureType.ProviderPolicyRefused,
        message: refusal,
        nonRetryable: true,
      });
    }
    this.open = true;
    for (const message of this.held.splice(0)) this.start(message);
    return undefined;
  }

  /** Hears the ledger's log: each message stored here (not one carried over) is delivered once. */
  heard(event: ProgressEvent, messages: readonly ExpertMessageData[]): void {
    if (event.kind !== 'message' || event.carried) return;
    const message = messages.find((stored) => stored.id === event.messageId);
    if (!message) return;
    if (this.open) this.start(message);
    else this.held.push(message);
  }

  /** Waits for every delivery started so far; a cancelled council stops here. */
  async settle(): Promise<void> {
    // Bounded: the council stores no message once it synthesizes, so the list stops growing.
    for (let done = 0; done < this.pending.length; done = this.pending.length) {
      await Promise.all(this.pending.slice(done));
    }
    stopIfCancelled();
  }

  /** The result's `messageWebhook`. */
  view(): MessageWebhookResult {
    return { ...this.outcome, failures: [...this.outcome.failures] };
  }

  private start(message: ExpertMessageData): void {
    const timeoutMs = this.webhook.timeoutMs ?? WEBHOOK_LIMITS.defaultTimeoutMs;
    const { deliverMessage } = proxyActivities<LlmActivities>({
      // The activity aborts its request at timeoutMs; the slack lets it report that itself.
      startToCloseTimeout: timeoutMs + 1_000,
      summary: `message webhook: ${message.senderName} ${message.id}`,
      retry: {
        maximumAttempts: this.webhook.maxAttempts ?? WEBHOOK_LIMITS.defaultMaxAttempts,
        initialInterval: '1s',
        maximumInterval: '30s',
        nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES],
      },
    });
    const idempotencyKey = idempotencyKeyOf(this.councilId, message.id);
    const body = { councilId: this.councilId, idempotencyKey, message };
    const delivery = deliverMessage({ webhook: this.webhook, body }).then(
      () => {
        this.outcome.delivered += 1;
      },
      (error: unknown) => {
        if (isCancellation(error)) return;
        this.outcome.failed += 1;
        if (this.outcome.failures.length < WEBHOOK_LIMITS.maxFailuresListed) {
          this.outcome.failures.push({ messageId: message.id, error: causeOf(error) });
        }
      },
    );
    this.pending.push(delivery);
  }
}

/** The last attempt's own error (an ActivityFailure only says that the activity failed). */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { message?: string } }).cause?.message;
  return (cause ?? (error as Error).message ?? String(error)).slice(0, 500);
}

/** A council with `messageWebhook` delivers its messages; others record no marker and replay as before. */
export function messageDeliveries(context: CouncilContext): MessageDeliveries | undefined {
  const webhook = context.messageWebhook;
  if (!webhook || !patched(MESSAGE_WEBHOOK_PATCH)) return undefined;
  return new MessageDeliveries(webhook, workflowInfo().workflowId);
}
