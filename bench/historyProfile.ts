import { eventMs, findBack, findForward, medianOfEach, type AttributeKey, type History } from './history';

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
    const wft1Started = findBack(events, 'workflowTaskStartedEventAttributes', i);
    const wft1Completed = findBack(events, 'workflowTaskCompletedEventAttributes', i);
    const scheduled = findForward(events, 'activityTaskScheduledEventAttributes', i);
    const started = findForward(events, 'activityTaskStartedEventAttributes', i);
    const completed = findForward(events, 'activityTaskCompletedEventAttributes', i);
    const done = findForward(events, 'workflowExecutionUpdateCompletedEventAttributes', i);
    const send = sends[update];
    const receive = receives[update];
    update += 1;
    if (!wft1Started || !wft1Completed || !scheduled || !started || !completed || !done) continue;
    if (send === undefined || receive === undefined) continue;
    const doneIndex = events.indexOf(done);
    const wft2Started = findBack(events, 'workflowTaskStartedEventAttributes', doneIndex);
    const wft2Completed = findBack(events, 'workflowTaskCompletedEventAttributes', doneIndex);
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
  return medianOfEach(PHASE_LABELS, turns);
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
 * are not counted: an estimate from below, as the Cloud's own per-history figure is. What
 * `patched()` records is not billed: its marker, and its upsert of TemporalChangeVersion, which the
 * Cloud exempts.
 */
export function billableActions(history: History): number {
  let actions = 0;
  for (const event of history.events ?? []) {
    if (event.activityTaskStartedEventAttributes)
      actions += event.activityTaskStartedEventAttributes.attempt ?? 1;
    else if (event.markerRecordedEventAttributes)
      actions += event.markerRecordedEventAttributes.markerName === 'core_local_activity' ? 1 : 0;
    else if (event.upsertWorkflowSearchAttributesEventAttributes) {
      const fields =
        event.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields ?? {};
      actions += Object.keys(fields).some((field) => field !== 'TemporalChangeVersion') ? 1 : 0;
    } else if (BILLED_EVENTS.some((key) => event[key])) actions += 1;
  }
  return actions;
}

const BILLED_EVENTS = [
  'workflowExecutionStartedEventAttributes',
  'workflowExecutionUpdateAcceptedEventAttributes',
  'workflowExecutionSignaledEventAttributes',
  'timerStartedEventAttributes',
  'workflowPropertiesModifiedEventAttributes',
  'startChildWorkflowExecutionInitiatedEventAttributes',
] as const satisfies readonly AttributeKey[];
