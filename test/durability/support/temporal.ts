import { Client, Connection, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { MODEL_CALL_ACTIVITY } from '../../../activities/types';
import { queryRetryInterceptor } from '../../../client/runtime/queryRetry';
import type { ParticipantSpecInput } from '../../../common/participants';

export const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
type History = temporal.api.history.v1.IHistory;

/**
 * A client on its own connection (with `dataConverter` if given), built as council builds its own
 * (tests kill the workers they query); close it with `client.connection.close()`.
 */
export async function connectTo(address: string, dataConverter?: DataConverter): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({
    connection,
    namespace: 'default',
    interceptors: { workflow: [queryRetryInterceptor(connection)] },
    ...(dataConverter ? { dataConverter } : {}),
  });
}

/** True for an ActivityTaskScheduled event of a model call. */
export function isModelCallScheduled(event: temporal.api.history.v1.IHistoryEvent): boolean {
  return event.activityTaskScheduledEventAttributes?.activityType?.name === MODEL_CALL_ACTIVITY;
}

/** The workflow's model calls in flight, as the server sees them; none while it does not exist yet. */
export async function pendingActivities(handle: WorkflowHandle) {
  try {
    const pending = (await handle.describe()).raw.pendingActivities ?? [];
    return pending.filter((activity) => activity.activityType?.name === MODEL_CALL_ACTIVITY);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return [];
    throw error;
  }
}

/**
 * An openai participant with a short heartbeat timeout and retry interval: when its worker dies
 * mid-call, the server gives up on the attempt within seconds and retries at once, instead of after
 * the default 30 s + 1 s. Not shorter: a loaded machine must not time out a healthy call.
 */
export function panelist(name: string, heartbeatMs = 5000): ParticipantSpecInput {
  return {
    name,
    role: 'panelist',
    model: { provider: 'openai', model: 'gpt-4o-mini' },
    timeouts: { heartbeatMs },
    retry: { initialIntervalMs: 100, maximumAttempts: 5 },
  };
}

/** Each completed model call of a history: the attempt that completed and the worker that ran it. */
export function completedActivities(history: History) {
  const events = history.events ?? [];
  const started = new Map<number, { attempt: number; identity: string }>();
  for (const event of events) {
    const attributes = event.activityTaskStartedEventAttributes;
    if (attributes)
      started.set(Number(event.eventId), {
        attempt: attributes.attempt ?? 0,
        identity: attributes.identity ?? '',
      });
  }
  const scheduled = events.filter(isModelCallScheduled);
  const modelCalls = new Set(scheduled.map((event) => Number(event.eventId)));
  const completed = events.flatMap((event) => {
    const attributes = event.activityTaskCompletedEventAttributes;
    if (!attributes || !modelCalls.has(Number(attributes.scheduledEventId))) return [];
    const start = started.get(Number(attributes.startedEventId));
    return [{ scheduledEventId: Number(attributes.scheduledEventId), ...start }];
  });
  return { scheduled: scheduled.length, completed };
}
