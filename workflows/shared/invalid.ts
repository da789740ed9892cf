import { ApplicationFailure } from '@temporalio/workflow';
import { FailureType } from '../../common/failures';

/**
 * An InvalidRequest failure, not retried: the workflow stays healthy, the caller (an update, a
 * query, or the starter of a bad input) sees the message. Sessions and councils both raise it.
 */
export function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.InvalidRequest, message, nonRetryable: true });
}
