import { WorkflowFailedError, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { CouncilUserError, RunNotFoundError } from '../../common/userError';
import { closedRunError, requireRunning, type FoundRun } from './runs';

/**
 * An update sent to a workflow that has ended fails with `WorkflowNotFoundError` ("workflow
 * execution already completed"), the same error as for an id that never existed. This tells the two
 * apart with one `describe()` and returns one readable error; any other error is returned unchanged.
 */
export async function explainEnded(
  handle: WorkflowHandle,
  kind: 'session' | 'council',
  error: unknown,
): Promise<unknown> {
  if (!(error instanceof WorkflowNotFoundError)) return error;
  const id = handle.workflowId;
  const status = await handle.describe().then(
    (description) => description.status.name.toLowerCase(),
    () => undefined,
  );
  if (status === undefined) {
    return new RunNotFoundError(kind, id, 'see `council list`', { cause: error });
  }
  // A run that failed on purpose (a provider policy refusal, say) says why.
  const reason = status === 'failed' ? await failureMessage(handle) : undefined;
  const hint = `start a new ${kind}`;
  if (!reason) return closedRunError(kind, id, status, hint, { cause: error });
  return failedRunError(kind, id, reason, hint, { cause: error });
}

/** The error for what a failed run cannot take, with why it failed: `session "ID" failed: <reason>`. */
function failedRunError(
  kind: 'session' | 'council',
  id: string,
  reason: string,
  hint: string,
  options?: ErrorOptions,
): CouncilUserError {
  return new CouncilUserError(`${kind} "${id}" failed: ${reason}`, hint, options);
}

/** The message of the ApplicationFailure a workflow failed with, if that is how it failed. */
export async function failureMessage(handle: WorkflowHandle): Promise<string | undefined> {
  return handle.result().then(
    () => undefined,
    (error: unknown) =>
      error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure
        ? error.cause.message
        : undefined,
  );
}

/**
 * Why a run that did not complete ended, as Temporal recorded it: the message of the failure it
 * failed with, the reason it was terminated with, or its timeout.
 */
export async function endReason(handle: WorkflowHandle): Promise<string | undefined> {
  return handle.result().then(
    () => undefined,
    (error: unknown) =>
      error instanceof WorkflowFailedError ? error.cause?.message || error.message : undefined,
  );
}

/**
 * {@link requireRunning}, with why a failed run failed: `session "ID" failed: <reason>` says what
 * `is closed (failed)` left to `council show`.
 */
export async function requireOpen(run: FoundRun, hint: string): Promise<void> {
  if (run.description.status.name === 'FAILED') {
    const reason = await endReason(run.handle);
    if (reason) throw failedRunError(run.kind, run.description.workflowId, reason, hint);
  }
  requireRunning(run, hint);
}
