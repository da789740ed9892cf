import {
  isGrpcCancelledError,
  isGrpcDeadlineError,
  isGrpcServiceError,
  type Connection,
  type WorkflowClientInterceptor,
} from '@temporalio/client';

/**
 * How long each attempt of a query may take before it is sent again. A query the server hands to a
 * worker that is shutting down is lost: the server answers it only at its own 30 s limit. Later
 * attempts get longer, so a query that is slow for a real reason (replaying a long history on a
 * busy machine) still gets the time it needs.
 */
export const QUERY_ATTEMPT_TIMEOUTS_MS = [5_000, 10_000, 20_000, 30_000] as const;

// What grpc-js reports when this process cancels a call itself; anything else came from the server.
const CANCELLED_HERE = 'Cancelled on client';

/**
 * A query the server cancelled ("context canceled") without this process asking. The server hands a
 * query task to a polling worker; when that worker is shutting down (every CLI command runs a worker
 * of its own and stops it when done), its poll is cancelled under the query, and the server returns
 * that cancellation to whoever asked. The SDK does not retry CANCELLED: it usually means the caller
 * gave up.
 */
export function isQueryCancelledByServer(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++, current = current.cause) {
    if (isGrpcServiceError(current) && isGrpcCancelledError(current))
      return current.details !== CANCELLED_HERE;
  }
  return false;
}

/**
 * Sends a query again when a worker going away lost it (see {@link QUERY_ATTEMPT_TIMEOUTS_MS} and
 * {@link isQueryCancelledByServer}). A query reads and never changes a workflow, so asking again is
 * always safe. A deadline or abort signal the caller set (`connection.withDeadline`,
 * `withAbortSignal`) is kept: no attempt outlives it, and an aborted query is never sent again.
 */
export function queryRetryInterceptor(connection: Connection): WorkflowClientInterceptor {
  return {
    async query(input, next) {
      const caller = connection.callContextStorage.getStore();
      const callerDeadlineMs =
        caller?.deadline === undefined ? Infinity : new Date(caller.deadline).getTime();
      let lostError: unknown;
      for (const timeoutMs of QUERY_ATTEMPT_TIMEOUTS_MS) {
        const deadlineMs = Math.min(Date.now() + timeoutMs, callerDeadlineMs);
        try {
          return await connection.withDeadline(deadlineMs, () => next(input));
        } catch (error) {
          const lost = isQueryCancelledByServer(error) || isGrpcDeadlineError(error);
          if (!lost || caller?.abortSignal?.aborted || Date.now() >= callerDeadlineMs) throw error;
          lostError = error;
        }
      }
      throw lostError;
    },
  };
}
