import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
} from '@temporalio/workflow';
import type { LlmActivities } from '../../activities';
import { DEFAULT_RETRY, DEFAULT_TIMEOUTS } from '../../common/defaults';
import { NON_RETRYABLE_FAILURE_TYPES } from '../../common/failures';
import type { ChatMessage, LlmResponse } from '../../common/llm';
import type { ParticipantSpec } from '../../common/participants';

/** What one participant call ended with: an answer, or why there is none. */
export type CallOutcome =
  | { status: 'ok'; response: LlmResponse }
  | { status: 'failed'; error: { type: string; message: string } }
  | { status: 'skipped'; error: { type: 'Skipped'; message: string } };

/** Cancellation scopes of the calls in flight, by participant name, so a user can skip one. */
export type InFlightCalls = Map<string, CancellationScope>;

/**
 * Calls one participant's model as an activity with that participant's own retry policy and
 * timeouts. Never throws for a participant's failure: the caller records it and the round goes on.
 */
export async function callParticipant(
  participant: ParticipantSpec,
  messages: ChatMessage[],
  options: { maxContextTokens?: number; responseFormat?: 'text' | 'json'; inFlight?: InFlightCalls },
): Promise<CallOutcome> {
  const retry = { ...DEFAULT_RETRY, ...participant.retry };
  const timeouts = { ...DEFAULT_TIMEOUTS, ...participant.timeouts };
  const { callLlm } = proxyActivities<LlmActivities>({
    startToCloseTimeout: timeouts.attemptMs,
    heartbeatTimeout: timeouts.heartbeatMs,
    retry: {
      maximumAttempts: retry.maximumAttempts,
      initialInterval: retry.initialIntervalMs,
      backoffCoefficient: retry.backoffCoefficient,
      maximumInterval: retry.maximumIntervalMs,
      nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES],
    },
  });
  const scope = new CancellationScope();
  options.inFlight?.set(participant.name, scope);
  try {
    const response = await scope.run(() =>
      callLlm({
        model: participant.model,
        messages,
        temperature: participant.temperature,
        maxOutputTokens: participant.maxOutputTokens,
        maxContextTokens: options.maxContextTokens,
        responseFormat: options.responseFormat,
        // Only when set: the input of every other call stays as it was recorded.
        ...(participant.timeouts?.firstByteMs !== undefined && {
          firstByteMs: participant.timeouts.firstByteMs,
        }),
      }),
    );
    return { status: 'ok', response };
  } catch (error) {
    if (isCancellation(error)) {
      return { status: 'skipped', error: { type: 'Skipped', message: `${participant.name} was skipped` } };
    }
    return { status: 'failed', error: describeFailure(error) };
  } finally {
    options.inFlight?.delete(participant.name);
  }
}

function describeFailure(error: unknown): { type: string; message: string } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    return { type: cause.type ?? 'ApplicationFailure', message: cause.message };
  }
  if (cause instanceof Error) return { type: cause.name, message: cause.message };
  return { type: 'Unknown', message: String(cause) };
}
