import { temporal } from '@temporalio/proto';
import { MultiParticipantSession } from '../../client/api/session';
import { DEFAULT_RETRY, DEFAULT_TIMEOUTS } from '../../common/defaults';
import type { ParticipantSpecInput } from '../../common/participants';
import { replaceWorker, startPollingWorker, useDurableEnvironment } from './support/environment';
import { waitUntilInFlight } from './support/temporal';

const NAMES = ['A', 'B', 'C'];
const LATENCY_MS = 1000;
/** Issue 20, target 4: a round resumed by a new worker completes within 5 s of it, model time aside. */
const RECOVERY_TARGET_MS = 5000;
/**
 * Headroom for a loaded 2-core CI machine: the new worker replays the session's history, and the
 * server's timeout checks and task dispatch each add up to a second there.
 */
const MARGIN_MS = 5000;
const SCHEDULE_TO_START = temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START;
const { TASK_QUEUE_KIND_NORMAL: NORMAL, TASK_QUEUE_KIND_STICKY: STICKY } =
  temporal.api.enums.v1.TaskQueueKind;

/** A participant with council's default timeouts and retry policy: nothing tuned for the test. */
const withDefaults = (name: string): ParticipantSpecInput => ({
  name,
  role: 'panelist',
  model: { provider: 'openai', model: 'gpt-4o-mini' },
});

describe('recovery time after a worker SIGKILL mid-round, default settings', () => {
  // B's first call never answers: it is certainly in flight when the worker is killed.
  const environment = useDurableEnvironment({
    latencyMs: LATENCY_MS,
    hold: (speaker, nth) => speaker === 'B' && nth === 1,
  });

  it('completes the round within the target of the new worker polling, model time aside', async () => {
    const { answerer, client } = environment;
    const taskQueue = 'durability-recovery-time';
    const first = await startPollingWorker(environment, taskQueue, 'worker-1');
    const session = await MultiParticipantSession.create(
      client,
      { strategy: 'roundRobin', participants: NAMES.map(withDefaults) },
      { taskQueue },
    );
    const handle = client.workflow.getHandle(session.sessionId);
    const round = session.sendMessage('user', 'How fast do we recover?');
    await waitUntilInFlight('B to be answering', handle, () => answerer.held.length === 1);

    const { killedAt, worker: second } = await replaceWorker(environment, first, 'worker-2');
    const readyAt = second.readyAt;
    const responses = await round;
    const doneAt = Date.now();
    expect(responses.map((r) => [r.participantName, r.status])).toEqual([
      ['A', 'ok'],
      ['B', 'ok'],
      ['C', 'ok'],
    ]);

    // When each call reached the model: the answerer logs it once its latency is over.
    const reached = (speaker: string, nth: number) =>
      (answerer.started.find((s) => s.speaker === speaker && s.nth === nth)?.at ?? NaN) - LATENCY_MS;
    const events = (await handle.fetchHistory()).events ?? [];
    const stickyWaits = stickyTimeouts(events);
    console.log(
      `recovery: new worker polling ${readyAt - killedAt} ms after the kill; B's call made again ` +
        `${reached('B', 2) - killedAt} ms after the kill; C called ${reached('C', 1) - reached('B', 2)} ms ` +
        `after B's retry began; sticky queue waits ${JSON.stringify(stickyWaits)} ms; round done ` +
        `${doneAt - readyAt} ms after the new worker polled, ${doneAt - killedAt} ms after the kill.`,
    );
    // Once the new worker polls, the round still spends B's retried call and C's call at the model.
    // The rest (the dead attempt's heartbeat timeout, the retry's backoff, the dead worker's sticky
    // queue, replay) is recovery: at most the target, plus the margin. With a 30 s heartbeat
    // timeout the retry alone came 31 s after the kill, ~20-28 s after a new worker polled.
    const modelTimeLeftMs = 2 * LATENCY_MS;
    expect(doneAt - readyAt).toBeLessThanOrEqual(modelTimeLeftMs + RECOVERY_TARGET_MS + MARGIN_MS);
    // Where it goes. B's call is made again once its attempt's heartbeat timeout and the first retry
    // interval are over, or as soon as the new worker polls if that comes later (slack: the server's
    // timer checks on a loaded machine)...
    const retryDueAt = Math.max(
      readyAt,
      killedAt + DEFAULT_TIMEOUTS.heartbeatMs + DEFAULT_RETRY.initialIntervalMs,
    );
    expect(reached('B', 2) - retryDueAt).toBeLessThanOrEqual(MARGIN_MS);
    // ... and no workflow task waited on the dead worker's sticky queue (read from the history): the
    // retried call moved the session off it, where the task would have waited the sticky timeout.
    expect(stickyWaits).toEqual([]);
    // Only a retried call moves the session: B's retried answer went to the shared queue, every first
    // attempt's answer (before the kill and after) to its worker's sticky queue.
    const answers = queuesAfterAnswers(events);
    expect(answers.filter((a) => a.attempt > 1)).toEqual([{ attempt: 2, queue: NORMAL }]);
    expect(answers.filter((a) => a.attempt === 1).map((a) => a.queue)).toEqual(
      expect.arrayContaining([STICKY]),
    );
    expect(answers.filter((a) => a.attempt === 1 && a.queue !== STICKY)).toEqual([]);
  }, 180_000);
});

/**
 * How long each workflow task waited on the first worker's sticky queue (the first sticky queue the
 * history names) before it timed out (ms, server times). The new worker's own sticky queue can time
 * out too on a loaded machine; that is no wait for the dead one.
 */
function stickyTimeouts(events: temporal.api.history.v1.IHistoryEvent[]): number[] {
  const firstSticky = events.find((e) => e.workflowTaskScheduledEventAttributes?.taskQueue?.kind === STICKY)
    ?.workflowTaskScheduledEventAttributes?.taskQueue?.name;
  const timeOf = (event: temporal.api.history.v1.IHistoryEvent | undefined) =>
    Number(event?.eventTime?.seconds ?? NaN) * 1000 + Math.floor((event?.eventTime?.nanos ?? 0) / 1e6);
  return events.flatMap((event) => {
    const attributes = event.workflowTaskTimedOutEventAttributes;
    if (attributes?.timeoutType !== SCHEDULE_TO_START) return [];
    const scheduled = events.find((e) => Number(e.eventId) === Number(attributes.scheduledEventId));
    if (scheduled?.workflowTaskScheduledEventAttributes?.taskQueue?.name !== firstSticky) return [];
    return [timeOf(event) - timeOf(scheduled)];
  });
}

/** Each completed call's attempt, and the kind of queue (sticky or shared) its answer's workflow task went to. */
function queuesAfterAnswers(
  events: temporal.api.history.v1.IHistoryEvent[],
): { attempt: number; queue: number }[] {
  return events.flatMap((event, index) => {
    const completed = event.activityTaskCompletedEventAttributes;
    if (!completed) return [];
    const started = events.find((e) => Number(e.eventId) === Number(completed.startedEventId));
    const next = events.slice(index + 1).find((e) => e.workflowTaskScheduledEventAttributes);
    return [
      {
        attempt: started?.activityTaskStartedEventAttributes?.attempt ?? NaN,
        queue: next?.workflowTaskScheduledEventAttributes?.taskQueue?.kind ?? NaN,
      },
    ];
  });
}
