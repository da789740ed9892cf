import { proxyActivities, proxyLocalActivities, type ActivityOptions } from '@temporalio/workflow';
import type { LlmActivities } from '../../activities';
import { DEFAULT_RETRY, DEFAULT_TIMEOUTS } from '../../common/defaults';
import { NON_RETRYABLE_FAILURE_TYPES } from '../../common/failures';
import type { LlmRequest, LlmResponse } from '../../common/llm';
import { LOCAL_CALL_LIMITS } from '../../common/localCall';
import type { ParticipantSpec } from '../../common/participants';

/** The activity id and Web UI summary of one call; empty on histories recorded before call ids. */
export interface CallIdentity {
  activityId?: string;
  summary?: string;
}

/**
 * The `callLlm` of one call, made as its settings say: a regular activity by default, a local
 * activity under `callAs: 'local'`. Both take the call's retry policy, with the same non-retryable
 * failure types, so a failure is classified alike either way. A local call has no heartbeat timeout
 * (it does not heartbeat) and no activity id (the SDK numbers local activities itself); its attempt
 * timeout defaults to, and is bounded by, LOCAL_CALL_LIMITS.maxAttemptMs.
 */
export function callLlmOf(
  settings: Pick<ParticipantSpec, 'retry' | 'timeouts' | 'callAs'>,
  identity: CallIdentity,
): (request: LlmRequest) => Promise<LlmResponse> {
  const retry = { ...DEFAULT_RETRY, ...settings.retry };
  const retryPolicy: ActivityOptions['retry'] = {
    maximumAttempts: retry.maximumAttempts,
    initialInterval: retry.initialIntervalMs,
    backoffCoefficient: retry.backoffCoefficient,
    maximumInterval: retry.maximumIntervalMs,
    nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES],
  };
  if (settings.callAs === 'local') {
    const attemptMs = Math.min(
      settings.timeouts?.attemptMs ?? LOCAL_CALL_LIMITS.maxAttemptMs,
      LOCAL_CALL_LIMITS.maxAttemptMs,
    );
    const { callLlm } = proxyLocalActivities<LlmActivities>({
      ...(identity.summary !== undefined && { summary: identity.summary }),
      startToCloseTimeout: attemptMs,
      retry: retryPolicy,
    });
    return callLlm;
  }
  const timeouts = { ...DEFAULT_TIMEOUTS, ...settings.timeouts };
  const { callLlm } = proxyActivities<LlmActivities>({
    ...identity,
    startToCloseTimeout: timeouts.attemptMs,
    heartbeatTimeout: timeouts.heartbeatMs,
    retry: retryPolicy,
  });
  return callLlm;
}
