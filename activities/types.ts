import type { LlmRequest, LlmResponse } from '../common/llm';
import type { ExpertMessageData } from '../common/council';
import type { MessageWebhook } from '../common/messageWebhook';
import type { PolicySubject } from '../common/policy';
import type { Grant } from '../common/budgetKeeperApi';
import type { PeriodGrantRequest } from './periodGrant';

// Its own module so that llm.ts, which implements it, need not import index.ts, which re-exports llm.ts.

/** The activities a council worker serves. Workflows import this type only. */
export interface LlmActivities {
  /** One LLM call through the provider the request names. */
  callLlm(request: LlmRequest): Promise<LlmResponse>;
  /**
   * The worker's provider policy on the models a session or council will call: one message per model
   * it refuses (naming the participant, the rule and how to widen it), none when all may be called.
   * Run by workflows as an activity at start and when a participant is added.
   */
  checkProviderPolicy(subjects: PolicySubject[]): Promise<string[]>;
  /**
   * The worker's provider policy on a council's message webhook: why it may not be called (its host,
   * or a header's env var, is not allowed there), or null when it may. Run once at council start.
   */
  checkMessageWebhook(webhook: MessageWebhook): Promise<string | null>;
  /** POSTs one message to the council's webhook; throws (to be retried) unless it answers 2xx. */
  deliverMessage(delivery: WebhookDelivery): Promise<{ status: number }>;
  /** A scheduled run's grant from its schedule's period budget (activities/periodGrant.ts). */
  requestPeriodGrant(request: PeriodGrantRequest): Promise<Grant>;
}

/** What a delivery POSTs, as JSON: the council, the key its receiver drops duplicates by, the message. */
export interface WebhookBody {
  councilId: string;
  idempotencyKey: string;
  message: ExpertMessageData;
}

/** The input of the `deliverMessage` activity: where, with which env-named headers, what. */
export interface WebhookDelivery {
  webhook: MessageWebhook;
  body: WebhookBody;
}

/**
 * The activity type of a model call, as histories and pending activities name it. Code that counts,
 * awaits or follows model calls compares with this, since `checkProviderPolicy` is an activity too.
 */
export const MODEL_CALL_ACTIVITY = 'callLlm' satisfies keyof LlmActivities;
