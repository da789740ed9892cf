import { eventMs, findBack, median, medianOfEach, type History, type HistoryEvent } from './history';

/**
 * Where one broadcast round's wall time above the model's latency went, in ms, from the workflow
 * history's event times, the LLM server's arrival times and the client's clock (one machine, one clock).
 */
export interface RoundPhases {
  /** Client sends the update → the workflow task that runs it starts on the worker (server). */
  updateToWorkflowTask: number;
  /** The worker runs the update handler up to the calls' scheduling (worker, workflow thread). */
  firstWorkflowTask: number;
  /** Workflow task completed → the first activity task started on the worker (server dispatch). */
  firstActivityDispatch: number;
  /** First → last of the round's activity tasks started (server dispatch and worker polls). */
  activityStartSpread: number;
  /** Activity started → its request at the LLM server, median over the calls (worker, main thread). */
  activityToRequest: number;
  /** First → last request at the LLM server. */
  requestSpread: number;
  /** The last call's activity completed → the workflow task that completes the update started. */
  lastResultDispatch: number;
  /** That last workflow task: the answers recorded, the update completed (worker). */
  lastWorkflowTask: number;
  /** Workflow task completed → the client has the update's result. */
  resultToClient: number;
  /** Workflow tasks from the update's to the one completing it, both included. */
  workflowTasks: number;
}

export const ROUND_PHASE_LABELS: Record<keyof RoundPhases, string> = {
  updateToWorkflowTask: 'client → workflow task started (update admission, dispatch)',
  firstWorkflowTask: 'worker: workflow task scheduling the calls',
  firstActivityDispatch: 'server: → first activity task started',
  activityStartSpread: 'first → last activity task started',
  activityToRequest: 'worker: activity started → its request at the LLM (median)',
  requestSpread: 'first → last request at the LLM',
  lastResultDispatch: 'last activity completed → last workflow task started',
  lastWorkflowTask: 'worker: last workflow task (answers recorded, update completed)',
  resultToClient: 'server → client: update result delivered',
  workflowTasks: 'workflow tasks per round (count)',
};

/** One round as the client and the LLM server saw it. */
export interface RoundClock {
  sentAt: number;
  receivedAt: number;
  /** Each call's arrival at the LLM server, by speaker. */
  arrivals: ReadonlyArray<{ at: number; speaker: string }>;
}

/**
 * Splits the `rounds.length` last updates of a run's history into phases; rounds whose events are
 * incomplete are skipped. A call's activity is matched to its arrival by the participant its summary
 * names (workflows/shared/callIds.ts callSummary).
 */
export function roundPhases(history: History, rounds: readonly RoundClock[]): RoundPhases[] {
  const events = history.events ?? [];
  const accepted = events.flatMap((event, index) =>
    event.workflowExecutionUpdateAcceptedEventAttributes ? [index] : [],
  );
  const starts = accepted.slice(-rounds.length);
  return starts.flatMap((from, i) => {
    const clock = rounds[i];
    const to = events.findIndex(
      (event, index) => index > from && event.workflowExecutionUpdateCompletedEventAttributes,
    );
    if (!clock || to < 0) return [];
    const phases = phasesOf(events.slice(0, to + 1), from, clock);
    return phases ? [phases] : [];
  });
}

function phasesOf(events: HistoryEvent[], accepted: number, clock: RoundClock): RoundPhases | undefined {
  const before = events.slice(0, accepted);
  const after = events.slice(accepted);
  const firstStarted = findBack(before, 'workflowTaskStartedEventAttributes');
  const firstCompleted = findBack(before, 'workflowTaskCompletedEventAttributes');
  const lastStarted = findBack(events, 'workflowTaskStartedEventAttributes');
  const lastCompleted = findBack(events, 'workflowTaskCompletedEventAttributes');
  const activityStarts = after.filter((e) => e.activityTaskStartedEventAttributes).map(eventMs);
  const completions = after.filter((e) => e.activityTaskCompletedEventAttributes).map(eventMs);
  const requests = clock.arrivals.map((a) => a.at);
  if (!firstStarted || !firstCompleted || !lastStarted || !lastCompleted) return undefined;
  if (activityStarts.length === 0 || completions.length === 0 || requests.length === 0) return undefined;
  const toRequest = callDelays(after, clock.arrivals);
  return {
    updateToWorkflowTask: eventMs(firstStarted) - clock.sentAt,
    firstWorkflowTask: eventMs(firstCompleted) - eventMs(firstStarted),
    firstActivityDispatch: Math.min(...activityStarts) - eventMs(firstCompleted),
    activityStartSpread: Math.max(...activityStarts) - Math.min(...activityStarts),
    activityToRequest: median(toRequest),
    requestSpread: Math.max(...requests) - Math.min(...requests),
    lastResultDispatch: eventMs(lastStarted) - Math.max(...completions),
    lastWorkflowTask: eventMs(lastCompleted) - eventMs(lastStarted),
    resultToClient: clock.receivedAt - eventMs(lastCompleted),
    workflowTasks: after.filter((e) => e.workflowTaskCompletedEventAttributes).length + 1,
  };
}

/** Each call's activity start → its request's arrival, matched by the speaker named in the activity's summary. */
function callDelays(events: HistoryEvent[], arrivals: RoundClock['arrivals']): number[] {
  const scheduledBy = new Map<number, string>();
  const delays: number[] = [];
  for (const event of events) {
    const summary = event.userMetadata?.summary?.data;
    if (event.activityTaskScheduledEventAttributes && summary) {
      // The summary is a JSON string payload: "<participant> · round N · <phase>".
      const text = JSON.parse(Buffer.from(summary).toString('utf8')) as string;
      scheduledBy.set(Number(event.eventId), text.split(' · ')[0] ?? '');
    }
    const started = event.activityTaskStartedEventAttributes;
    if (!started) continue;
    const speaker = scheduledBy.get(Number(started.scheduledEventId));
    const arrival = arrivals.find((a) => a.speaker === speaker);
    if (arrival) delays.push(arrival.at - eventMs(event));
  }
  return delays;
}

/** Median of each phase over the rounds. */
export function medianRoundPhases(rounds: RoundPhases[]): RoundPhases {
  return medianOfEach(ROUND_PHASE_LABELS, rounds);
}
