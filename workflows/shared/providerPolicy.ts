import { ApplicationFailure, proxyLocalActivities } from '@temporalio/workflow';
import type { LlmActivities } from '../../activities';
import { FailureType, NON_RETRYABLE_FAILURE_TYPES } from '../../common/failures';
import type { PolicySubject } from '../../common/policy';

/** A refusal names at most this many models, then how many more: the failure stays small. */
const MAX_REFUSALS_SHOWN = 5;

// A local activity: workflow code cannot read the worker's environment, and a check of a few specs
// needs no task-queue round trip (4 ms here against ~30 ms for a regular activity). It runs on the
// worker that runs the workflow task; every worker checks its own policy again before each call.
const { checkProviderPolicy } = proxyLocalActivities<LlmActivities>({
  startToCloseTimeout: '10s',
  summary: 'provider policy check',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES] },
});

/**
 * The worker's provider policy on the models a session or council will call: a non-retryable
 * ProviderPolicyRefused failure naming each refused participant, the rule and how to widen it, or
 * undefined when every model may be called. Callers guard it with `patched(PROVIDER_POLICY_PATCH)`.
 */
export async function policyRefusal(subjects: PolicySubject[]): Promise<ApplicationFailure | undefined> {
  const refusals = await checkProviderPolicy(subjects);
  if (refusals.length === 0) return undefined;
  const shown = refusals.slice(0, MAX_REFUSALS_SHOWN);
  const more = refusals.length - shown.length;
  return ApplicationFailure.create({
    type: FailureType.ProviderPolicyRefused,
    message: [...shown, ...(more > 0 ? [`(and ${more} more)`] : [])].join('\n'),
    nonRetryable: true,
  });
}
