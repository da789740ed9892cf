import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { ManagedProcess } from './processes';
import { waitFor } from './processes';

const EVENT_TYPES = temporal.api.enums.v1.EventType;
const ACTIVITY_STATES = temporal.api.enums.v1.PendingActivityState;
const TIMEOUT_TYPES = temporal.api.enums.v1.TimeoutType;
const OUTPUT_TAIL = 2_000;
const READ_DEADLINE_MS = 10_000;

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

function secondsOf(event: HistoryEvent): number {
  return Number(event.eventTime?.seconds ?? 0) + (event.eventTime?.nanos ?? 0) / 1e9;
}

/** What an event says beyond its type: who took a task, why one failed or timed out, which call. */
function detailOf(event: HistoryEvent): string {
  const failure =
    event.workflowTaskFailedEventAttributes?.failure?.message ??
    event.activityTaskFailedEventAttributes?.failure?.message;
  const taskTimeout = event.workflowTaskTimedOutEventAttributes?.timeoutType;
  const timedOut =
    (taskTimeout != null ? TIMEOUT_TYPES[taskTimeout] : undefined) ??
    event.activityTaskTimedOutEventAttributes?.failure?.message;
  const identity =
    event.workflowTaskStartedEventAttributes?.identity ?? event.activityTaskStartedEventAttributes?.identity;
  const timer = event.timerStartedEventAttributes?.startToFireTimeout?.seconds;
  const detail =
    failure ??
    timedOut ??
    identity ??
    event.activityTaskScheduledEventAttributes?.activityId ??
    (timer != null ? `${Number(timer)} s` : undefined);
  return detail ? ` ${detail}` : '';
}

/** A hung server fails the read in seconds: the account must be written before the test's own timeout. */
function withinDeadline<T>(handle: WorkflowHandle, read: () => Promise<T>): Promise<T> {
  return handle.client.connection.withDeadline(Date.now() + READ_DEADLINE_MS, read);
}

/** Each event of the run's history: id, seconds since the run began, type and detail. */
async function historyLines(handle: WorkflowHandle): Promise<string[]> {
  const events = (await withinDeadline(handle, () => handle.fetchHistory())).events ?? [];
  const began = events[0] ? secondsOf(events[0]) : 0;
  return events.map((event) => {
    const type = (EVENT_TYPES[event.eventType ?? 0] ?? String(event.eventType)).replace('EVENT_TYPE_', '');
    return `  ${event.eventId} +${(secondsOf(event) - began).toFixed(3)}s ${type}${detailOf(event)}`;
  });
}

async function pendingLines(handle: WorkflowHandle): Promise<string[]> {
  const pending = (await withinDeadline(handle, () => handle.describe())).raw.pendingActivities ?? [];
  return pending.map((activity) => {
    const state = ACTIVITY_STATES[activity.state ?? 0] ?? String(activity.state);
    const lastFailure = activity.lastFailure?.message
      ? ` (last failure: ${activity.lastFailure.message})`
      : '';
    return `  ${activity.activityId} attempt ${activity.attempt} ${state}${lastFailure}`;
  });
}

/**
 * What a stuck kill test needs to be diagnosed from its CI log alone: the run's history, its calls
 * in flight, and the end of each worker's output (and whether it still runs). A read that fails is
 * said in place of what it would have shown.
 */
export async function explainRun(handle: WorkflowHandle, workers: ManagedProcess[]): Promise<string> {
  const read = (lines: Promise<string[]>) =>
    lines.then(
      (found) => found.join('\n') || '  (none)',
      (error: unknown) => `  (unreadable: ${String(error)})`,
    );
  const outputs = workers.map((worker) => {
    const state = worker.child.exitCode ?? worker.child.signalCode ?? 'running';
    return `${worker.name} (${state}), output's end:\n${worker.output().slice(-OUTPUT_TAIL)}`;
  });
  return [
    `history of ${handle.workflowId}:\n${await read(historyLines(handle))}`,
    `calls in flight:\n${await read(pendingLines(handle))}`,
    ...outputs,
  ].join('\n');
}

/** {@link waitFor}, whose timeout error carries {@link explainRun}'s account of the run. */
export async function waitForRun(
  what: string,
  handle: WorkflowHandle,
  workers: ManagedProcess[],
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  try {
    await waitFor(what, check, timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${await explainRun(handle, workers)}`, { cause: error });
  }
}
