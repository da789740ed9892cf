import type { WorkflowHandle } from '@temporalio/client';
import { round2 } from './stats';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];

/** Where one single-participant turn's time went, in ms; the phases add up to the client's round trip. */
export interface TurnPhases {
  /** Client sends the update → the workflow task that runs it starts on the worker (server). */
  updateToWorkflowTask: number;
  /** The worker runs the update handler up to scheduling the activity (worker). */
  workflowTask1: number;
  /** Workflow task completed → the worker picks up the activity task (server). */
  activityDispatch: number;
  /** The activity runs: validation, trimming, the HTTP call to the LLM, its answer (worker). */
  activity: number;
  /** Activity completed → the next workflow task starts on the worker (server). */
  resultDispatch: number;
  /** The worker records the answer and completes the update (worker). */
  workflowTask2: number;
  /** Workflow task completed → the client has the update's result (server, client). */
  resultToClient: number;
}

export const PHASE_LABELS: Record<keyof TurnPhases, string> = {
  updateToWorkflowTask: 'client → server → workflow task started (update admission, dispatch)',
  workflowTask1: 'worker: workflow task running the update handler',
  activityDispatch: 'server: activity task dispatch to the worker',
  activity: 'worker: the activity itself (same code as the direct path)',
  resultDispatch: 'server: activity result → next workflow task dispatch',
  workflowTask2: 'worker: workflow task recording the answer',
  resultToClient: 'server → client: update result delivered',
};

function eventMs(event: HistoryEvent): number {
  const time = event.eventTime;
  return Number(time?.seconds ?? 0) * 1000 + (time?.nanos ?? 0) / 1e6;
}

/**
 * Splits single-participant rounds into phases from the run's history. `sends[i]` and `receives[i]`
 * are the client's Date.now() around the i-th update of the run (same machine, same clock).
 */
export function turnPhases(history: History, sends: number[], receives: number[]): TurnPhases[] {
  const events = history.events ?? [];
  const phases: TurnPhases[] = [];
  let update = 0;
  for (let i = 0; i < events.length; i++) {
    if (!events[i]?.workflowExecutionUpdateAcceptedEventAttributes) continue;
    const wft1Started = findBack(events, i, 'workflowTaskStartedEventAttributes');
    const wft1Completed = findBack(events, i, 'workflowTaskCompletedEventAttributes');
    const scheduled = findForward(events, i, 'activityTaskScheduledEventAttributes');
    const started = findForward(events, i, 'activityTaskStartedEventAttributes');
    const completed = findForward(events, i, 'activityTaskCompletedEventAttributes');
    const done = findForward(events, i, 'workflowExecutionUpdateCompletedEventAttributes');
    const send = sends[update];
    const receive = receives[update];
    update += 1;
    if (!wft1Started || !wft1Completed || !scheduled || !started || !completed || !done) continue;
    if (send === undefined || receive === undefined) continue;
    const doneIndex = events.indexOf(done);
    const wft2Started = findBack(events, doneIndex, 'workflowTaskStartedEventAttributes');
    const wft2Completed = findBack(events, doneIndex, 'workflowTaskCompletedEventAttributes');
    if (!wft2Started || !wft2Completed) continue;
    phases.push({
      updateToWorkflowTask: eventMs(wft1Started) - send,
      workflowTask1: eventMs(wft1Completed) - eventMs(wft1Started),
      activityDispatch: eventMs(started) - eventMs(wft1Completed),
      activity: eventMs(completed) - eventMs(started),
      resultDispatch: eventMs(wft2Started) - eventMs(completed),
      workflowTask2: eventMs(wft2Completed) - eventMs(wft2Started),
      resultToClient: receive - eventMs(wft2Completed),
    });
  }
  return phases;
}

/** Median of each phase over the turns. */
export function medianPhases(turns: TurnPhases[]): TurnPhases {
  const keys = Object.keys(PHASE_LABELS) as Array<keyof TurnPhases>;
  return Object.fromEntries(
    keys.map((key) => {
      const sorted = turns.map((turn) => turn[key]).sort((a, b) => a - b);
      return [key, round2(sorted[Math.floor(sorted.length / 2)] ?? Number.NaN)];
    }),
  ) as unknown as TurnPhases;
}

/** Events per round and their kinds, to see what the server writes for one turn. */
export function eventCounts(history: History): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of history.events ?? []) {
    const kind = Object.keys(event).find((key) => key.endsWith('EventAttributes') && event[key as never]);
    if (kind)
      counts[kind.replace('EventAttributes', '')] = (counts[kind.replace('EventAttributes', '')] ?? 0) + 1;
  }
  return counts;
}

/**
 * Temporal Cloud actions an execution's history shows (docs.temporal.io/cloud/actions): its start,
 * each activity attempt, updates, signals, timers, search attribute and memo upserts, local
 * activity markers, child starts. Heartbeats, queries and rejected updates leave no event, so they
 * are not counted: an estimate from below, as the Cloud's own per-history figure is.
 */
export function billableActions(history: History): number {
  let actions = 0;
  for (const event of history.events ?? []) {
    if (event.activityTaskStartedEventAttributes)
      actions += event.activityTaskStartedEventAttributes.attempt ?? 1;
    else if (BILLED_EVENTS.some((key) => event[key])) actions += 1;
  }
  return actions;
}

const BILLED_EVENTS = [
  'workflowExecutionStartedEventAttributes',
  'workflowExecutionUpdateAcceptedEventAttributes',
  'workflowExecutionSignaledEventAttributes',
  'timerStartedEventAttributes',
  'upsertWorkflowSearchAttributesEventAttributes',
  'workflowPropertiesModifiedEventAttributes',
  'markerRecordedEventAttributes',
  'startChildWorkflowExecutionInitiatedEventAttributes',
] as const satisfies readonly AttributeKey[];

type AttributeKey = keyof HistoryEvent & `${string}EventAttributes`;

function findBack(events: HistoryEvent[], from: number, key: AttributeKey): HistoryEvent | undefined {
  for (let j = from; j >= 0; j--) if (events[j]?.[key]) return events[j];
  return undefined;
}

function findForward(events: HistoryEvent[], from: number, key: AttributeKey): HistoryEvent | undefined {
  for (let j = from; j < events.length; j++) if (events[j]?.[key]) return events[j];
  return undefined;
}
