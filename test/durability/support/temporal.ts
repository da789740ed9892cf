import { Client, Connection, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { MODEL_CALL_ACTIVITY } from '../../../activities/types';
import { queryRetryInterceptor } from '../../../client/runtime/queryRetry';
import type { ParticipantSpecInput } from '../../../common/participants';
import type { TranscriptEntry } from '../../../common/session';
import { waitFor } from '../../helpers/wait';

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

/**
 * Waits until `held()` (the mock holds the call the test kills its worker in) and the server shows
 * a model call started: the call is in flight for certain.
 */
export async function waitUntilInFlight(what: string, handle: WorkflowHandle, held: () => boolean) {
  await waitFor(
    what,
    async () => held() && (await pendingActivities(handle)).some((activity) => activity.state === STARTED),
    60_000,
  );
}

/** Waits until `held()` and `completed` model calls are in the history, not only served by the mock. */
export async function waitUntilRecorded(
  what: string,
  handle: WorkflowHandle,
  held: () => boolean,
  completed: number,
) {
  await waitFor(
    what,
    async () => held() && completedActivities(await handle.fetchHistory()).completed.length === completed,
    60_000,
  );
}

/**
 * A history's first timer (a round's deadline): what it was set for (s), and when it fired (ms since
 * epoch, to the server's whole second; NaN if it did not).
 */
export function firstTimer(history: History): { seconds: number; firedAt: number } {
  const events = history.events ?? [];
  const started = events.find((event) => event.timerStartedEventAttributes);
  const fired = events.find((event) => event.timerFiredEventAttributes);
  return {
    seconds: Number(started?.timerStartedEventAttributes?.startToFireTimeout?.seconds),
    firedAt: Number(fired?.eventTime?.seconds) * 1000,
  };
}

/** Waits for a late answer in a session's transcript (the first one) and returns it. */
export async function lateAnswer(session: {
  transcript(): Promise<TranscriptEntry[]>;
}): Promise<TranscriptEntry | undefined> {
  let late: TranscriptEntry | undefined;
  await waitFor(
    'a late answer in the transcript',
    async () => (late = (await session.transcript()).find((entry) => entry.late === true)) !== undefined,
    60_000,
  );
  return late;
}
