import type { Context } from '@temporalio/activity';
import { IllegalStateError } from '@temporalio/common';

/** How long a retried call waits for the server to drop its workflow's sticky queue, at most. */
export const STICKY_RELEASE_DEADLINE_MS = 5000;

/**
 * Starts moving the session's next workflow task off the worker it last ran on, when this is a
 * retried attempt of a call. The returned promise never rejects: await it before the attempt ends.
 *
 * Why: the retry that matters here follows a worker's death (its heartbeat timed out). A council
 * worker takes the calls its own workflow task schedules (eager dispatch), so the session is then
 * sticky to the dead worker, and the task this attempt's completion schedules would wait on its
 * sticky queue for the whole sticky schedule-to-start timeout before going to the shared queue.
 * Dropping the stickiness first sends it straight to the shared queue, where live workers poll.
 * The attempt cannot tell that retry from one after a provider's error on a live worker: there the
 * cost is one full replay of the session's history, for the next task.
 *
 * A local activity runs on the session's own worker, which is alive; a context without a client
 * (a MockActivityEnvironment made without one) has no server to tell: both skip it.
 */
export function releaseStickinessOnRetry(context: Context): Promise<void> {
  const { info } = context;
  const execution = info.workflowExecution;
  const client = workerClient(context);
  if (info.isLocal || info.attempt <= 1 || !execution || !client) return Promise.resolve();
  const release = () =>
    client.withDeadline(Date.now() + STICKY_RELEASE_DEADLINE_MS, () =>
      client.workflowService.resetStickyTaskQueue({ namespace: info.namespace, execution }),
    );
  // Started in a then(): whatever the client throws becomes a rejection, handled below.
  return Promise.resolve()
    .then(release)
    .then(
      () => undefined,
      // Only the resume after a worker's death is slower without it: the call itself goes on.
      (error: unknown) =>
        context.log.warn('could not move the session off its previous worker; its next step may wait', {
          error: error instanceof Error ? error.message : String(error),
        }),
    );
}

/** The client of the worker running the activity; a MockActivityEnvironment has none. */
export function workerClient(context: Context): Context['client'] | undefined {
  try {
    return context.client;
  } catch (error) {
    if (error instanceof IllegalStateError) return undefined;
    throw error;
  }
}
