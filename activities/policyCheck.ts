import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../common/failures';
import { policySubjectsSchema, type PolicySubject } from '../common/policy';
import { zodProblem } from '../common/validation';
import { destinationOf, type WorkerEnv } from './clients';
import type { ProviderPolicy } from './policy';

/**
 * The refusals of `policy` for the models a session or council names, one line per refused model:
 * the same verdict `callLlm` would reach for each, before any call is made. Models served by the
 * worker's own default clients are always allowed.
 */
export function checkSubjects(policy: ProviderPolicy, env: WorkerEnv, input: PolicySubject[]): string[] {
  const parsed = policySubjectsSchema.safeParse(input);
  if (!parsed.success) {
    throw ApplicationFailure.create({
      type: FailureType.InvalidRequest,
      message: `invalid provider policy check: ${zodProblem(parsed.error)}`,
      nonRetryable: true,
    });
  }
  return parsed.data.flatMap(({ participant, model }) => {
    const to = destinationOf(model, env);
    const refusal = to && policy.refusal(to);
    return refusal ? [`participant ${JSON.stringify(participant)}: ${refusal}`] : [];
  });
}
