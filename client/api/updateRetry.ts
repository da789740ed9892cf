import {
  isGrpcServiceError,
  ServiceError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type WorkflowHandle,
} from '@temporalio/client';
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  type UpdateDefinition,
} from '@temporalio/common';
import { explainEnded } from './ended';
import { closedCouncilIn, CouncilClosedError } from './closableCalls';
import { CouncilUserError } from '../../common/userError';

/** How often an update is asked when the server said it may be asked again (under the same id). */
export const UPDATE_ATTEMPTS = 5;

/** The failure type the server gives an update a worker never answered (see {@link isUnprocessedByWorker}). */
const UNPROCESSED_UPDATE = 'UnprocessedUpdate';

/** gRPC's FAILED_PRECONDITION, the code of the server's WorkflowNotReady. */
const FAILED_PRECONDITION = 9;

/** gRPC's UNAVAILABLE: the connection dropped (closed by this process, or the server gone). */
const UNAVAILABLE = 14;

/** The server's words for an update aborted by a failed workflow task (server, errors_failures.go). */
const ABORTED_BY_TASK_FAILURE = 'unexpected workflow task failure';

/**
 * Whether an update that failed this way may be asked again under the same id: the request timed
 * out (a busy cluster may still run it, and the same id then returns that run's result), the
 * server rejected it as unprocessed by a worker, or aborted it when the task carrying it failed.
 */
export function isRetriableUpdateError(error: unknown): boolean {
  return (
    error instanceof WorkflowUpdateRPCTimeoutOrCancelledError ||
    isUnprocessedByWorker(error) ||
    isAbortedByTaskFailure(error)
  );
}

/**
 * The server's abort of an update whose workflow task failed before the update was accepted:
 * "Unable to perform workflow execution update due to unexpected workflow task failure."
 * (FAILED_PRECONDITION, WorkflowNotReady). The acceptance was in the refused completion, so nothing
 * of the update is in the history, and the run retries its task. Seen under local calls, queries
 * and an update at once: the SDK's core completed a task with the acceptance of an update the
 * server had dropped after a task timeout (docs/performance.md, "Local model calls").
 */
export function isAbortedByTaskFailure(error: unknown): boolean {
  if (!(error instanceof ServiceError) || !isGrpcServiceError(error.cause)) return false;
  const { cause } = error;
  return cause.code === FAILED_PRECONDITION && cause.details.includes(ABORTED_BY_TASK_FAILURE);
}

/**
 * The server's rejection of an update whose workflow task ended without the worker answering it (a
 * worker shutting down, or one whose run has no handler for it yet): "Workflow Update is rejected
 * because it wasn't processed by worker", an ApplicationFailure of type UnprocessedUpdate, marked
 * non-retryable by the server although nothing of it reached the history. The message is checked
 * too, for servers that send it without the type.
 */
export function isUnprocessedByWorker(error: unknown): boolean {
  if (!(error instanceof WorkflowUpdateFailedError) || !(error.cause instanceof Error)) return false;
  const { cause } = error;
  return (
    (cause instanceof ApplicationFailure && cause.type === UNPROCESSED_UPDATE) ||
    cause.message.includes("wasn't processed by worker")
  );
}

/**
 * Runs an update of a session or council under one id, asked again (at most UPDATE_ATTEMPTS times)
 * while {@link isRetriableUpdateError} says so. A refusal becomes a CouncilUserError; an ended run
 * says how it ended.
 */
export async function executeUpdateWithRetry<Ret, Args extends unknown[]>(
  handle: WorkflowHandle,
  kind: 'session' | 'council',
  definition: UpdateDefinition<Ret, Args>,
  ...args: Args
): Promise<Ret> {
  return executeUpdateWithRetryAs(crypto.randomUUID(), handle, kind, definition, ...args);
}

/** {@link executeUpdateWithRetry} under the caller's `updateId` (its progress names it). */
export async function executeUpdateWithRetryAs<Ret, Args extends unknown[]>(
  updateId: string,
  handle: WorkflowHandle,
  kind: 'session' | 'council',
  definition: UpdateDefinition<Ret, Args>,
  ...args: Args
): Promise<Ret> {
  // The overloads split on arity; the definition's own type keeps args and result in step.
  const execute = handle.executeUpdate.bind(handle) as (
    def: UpdateDefinition<Ret, Args>,
    options: { args: Args; updateId: string },
  ) => Promise<Ret>;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await execute(definition, { args, updateId });
    } catch (error) {
      if (attempt < UPDATE_ATTEMPTS && isRetriableUpdateError(error)) continue;
      if (isConnectionLost(error)) throw connectionLost(kind, handle.workflowId, error);
      if (closedCouncilIn(error)) throw councilClosed(kind, handle.workflowId, error);
      const unread = unreadOutcome(error);
      if (unread) throw unread;
      throw asUserError(await explainEnded(handle, kind, error), { kind, id: handle.workflowId });
    }
  }
}

/**
 * What this client failed to read of an update's outcome: polling for it (the first request came
 * back before the update completed, as on a busy server), the SDK reads the payloads inside its gRPC
 * guard and wraps a local failure (a blob this client's store lacks, a key it does not hold) in
 * "Unexpected error while making gRPC request". The failure itself says what is wrong.
 */
function unreadOutcome(error: unknown): Error | undefined {
  if (!(error instanceof ServiceError) || isGrpcServiceError(error.cause)) return undefined;
  return error.cause instanceof Error ? error.cause : undefined;
}

/** Whether the call failed because the connection to the server dropped while it waited. */
function isConnectionLost(error: unknown): error is ServiceError {
  return error instanceof ServiceError && isGrpcServiceError(error.cause) && error.cause.code === UNAVAILABLE;
}

/**
 * A call whose connection dropped (`Council.close()` while it waited, or the server gone): the run
 * did not stop with it, and this says so and how to pick it up, not the SDK's "Workflow Update failed".
 */
function connectionLost(kind: 'session' | 'council', id: string, error: ServiceError): CouncilUserError {
  return new CouncilUserError(
    `the connection to the Temporal server was lost while this call waited (${error.cause?.message ?? ''})`,
    `the ${kind} ${id} goes on in Temporal: once connected again, ${followAgain(kind)} read what it did`,
    { cause: error },
  );
}

/** The calls that pick a run up again from another client. */
function followAgain(kind: 'session' | 'council'): string {
  return kind === 'session' ? 'MultiParticipantSession.attach and awaitRoundEnd' : 'attachCouncil';
}

/** A call cut short by Council.close() (a Council.connect()'s): the run goes on without this client. */
function councilClosed(kind: 'session' | 'council', id: string, error: unknown): CouncilClosedError {
  return new CouncilClosedError(
    'this Council was closed while this call waited',
    `the ${kind} ${id} goes on in Temporal: ${followAgain(kind)} read what it did`,
    { cause: error },
  );
}

/**
 * A rejected or failed update becomes one readable error, as does one cut short because `run` (a
 * session's round, a council's call) was cancelled; anything else passes through.
 */
export function asUserError(error: unknown, run: { kind: 'session' | 'council'; id: string }): unknown {
  if (!(error instanceof WorkflowUpdateFailedError)) return error;
  const { cause } = error;
  if (cause instanceof ApplicationFailure)
    return new CouncilUserError(cause.message, undefined, { cause: error });
  const cancelled =
    cause instanceof CancelledFailure ||
    (cause instanceof ActivityFailure && cause.cause instanceof CancelledFailure);
  if (!cancelled) return error;
  const during = run.kind === 'session' ? 'during this round' : 'before this call finished';
  const hint = `its answers so far: council show ${run.id}`;
  return new CouncilUserError(`${run.kind} ${run.id} was cancelled ${during}`, hint, { cause: error });
}
