import {
  ApplicationFailure,
  type ActivityOptions,
  proxyActivities,
  proxyLocalActivities,
} from '@temporalio/workflow';
import { patched } from './patches';
import type { LlmActivities } from '../../activities';
import { FailureType, NON_RETRYABLE_FAILURE_TYPES } from '../../common/failures';
import { POLICY_CHECK_ACTIVITY_PATCH, type PolicySubject } from '../../common/policy';

/** A refusal names at most this many models, then how many more: the failure stays small. */
const MAX_REFUSALS_SHOWN = 5;

const checkOptions: ActivityOptions = {
  startToCloseTimeout: '10s',
  summary: 'provider policy check',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES] },
};
// Workflow code cannot read the worker's environment, so the check is an activity. It used to be a
// local activity: a query arriving while it ran could end the workflow task with its result recorded
// but the code after it not yet run, and on replay that code met patch markers it had not been told
// of (TMPRL1100). A regular activity's result always starts the workflow task that acts on it.
// Every worker checks its own policy again before each model call.
const { checkProviderPolicy: checkAsActivity } = proxyActivities<LlmActivities>(checkOptions);
/** Histories recorded before POLICY_CHECK_ACTIVITY_PATCH ran the check as a local activity. */
const { checkProviderPolicy: checkLocally } = proxyLocalActivities<LlmActivities>(checkOptions);

/**
 * The worker's provider policy on the models a session or council will call: a non-retryable
 * ProviderPolicyRefused failure naming each refused participant, the rule and how to widen it, or
 * undefined when every model may be called. Callers guard it with `patched(PROVIDER_POLICY_PATCH)`.
 */
export async function policyRefusal(subjects: PolicySubject[]): Promise<ApplicationFailure | undefined> {
  const check = patched(POLICY_CHECK_ACTIVITY_PATCH) ? checkAsActivity : checkLocally;
  const refusals = await check(subjects);
  if (refusals.length === 0) return undefined;
  const shown = refusals.slice(0, MAX_REFUSALS_SHOWN);
  const more = refusals.length - shown.length;
  return ApplicationFailure.create({
    type: FailureType.ProviderPolicyRefused,
    message: [...shown, ...(more > 0 ? [`(and ${more} more)`] : [])].join('; '),
    nonRetryable: true,
  });
}
