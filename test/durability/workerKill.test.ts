import { MultiParticipantSession } from '../../client/api/session';
import { replaceWorker, startPollingWorker, useDurableEnvironment } from './support/environment';
import { completedCalls } from './support/llm';
import { completedActivities, panelist, waitUntilInFlight } from './support/temporal';

const NAMES = ['A', 'B', 'C', 'D'];
const LATENCY_MS = 1000;

describe('a worker process SIGKILLed while a participant is answering', () => {
  // B's first call never answers: it is certainly in flight when the worker is killed.
  const environment = useDurableEnvironment({
    latencyMs: LATENCY_MS,
    hold: (speaker, nth) => speaker === 'B' && nth === 1,
  });

  it('resumes on a new worker: every answer, only the in-flight call made again, no duplicates or gaps', async () => {
    const { mock, answerer, client } = environment;
    const taskQueue = 'durability-worker-kill';
    const first = await startPollingWorker(environment, taskQueue, 'worker-1');
    const firstReadyMs = first.readyAt - first.spawnedAt;
    const session = await MultiParticipantSession.create(
      client,
      { strategy: 'roundRobin', participants: NAMES.map((name) => panelist(name)) },
      { taskQueue },
    );
    const handle = client.workflow.getHandle(session.sessionId);
    const round = session.sendMessage('user', 'What should we build next?');

    // B is answering: its call reached the model (and is held there) and the server shows it started.
    await waitUntilInFlight('B to be answering', handle, () => answerer.held.length === 1);
    expect(completedCalls(mock).map((call) => call.speaker)).toEqual(['A']);
    expect((await session.view()).activeRound?.states).toEqual({
      A: 'done',
      B: 'thinking',
      C: 'waiting',
      D: 'waiting',
    });

    // The replacement is the container's entry point: it bundles the workflow code at start-up.
    const { killedAt, worker: second } = await replaceWorker(environment, first, 'worker-2', {
      entry: 'main',
    });
    const readyAt = second.readyAt;
    const responses = await round;
    const doneAt = Date.now();
    // When the calls reached the model: the answerer logs each one once its latency is over.
    const reached = (speaker: string, nth: number) =>
      (answerer.started.find((s) => s.speaker === speaker && s.nth === nth)?.at ?? NaN) - LATENCY_MS;
    console.log(
      `worker kill: new worker spawned ${second.spawnedAt - killedAt} ms after the kill, polling ` +
        `${readyAt - second.spawnedAt} ms later (bundling included); B's call made again ` +
        `${reached('B', 2) - readyAt} ms after that; C called ${reached('C', 1) - reached('B', 2)} ms after B's ` +
        `retry began (B answers in ${LATENCY_MS} ms); round done ${doneAt - second.spawnedAt} ms after ` +
        `the new worker's start, ${doneAt - killedAt} ms after the kill. (\`council worker\` with a cached ` +
        `bundle took ${firstReadyMs} ms to poll.)`,
    );

    expect(responses.map((r) => [r.participantName, r.status, r.shown])).toEqual([
      ['A', 'ok', []],
      ['B', 'ok', ['A']],
      ['C', 'ok', ['A', 'B']],
      ['D', 'ok', ['A', 'B', 'C']],
    ]);
    // Completed calls: each participant once. A's was made by the killed worker and not made again;
    // B's only completed attempt is the retry of the call that was in flight.
    const calls = completedCalls(mock);
    expect(calls.map((call) => [call.speaker, call.worker])).toEqual([
      ['A', 'worker-1'],
      ['B', 'worker-2'],
      ['C', 'worker-2'],
      ['D', 'worker-2'],
    ]);
    expect(calls[1]?.at).toBeGreaterThan(killedAt);
    // Calls that reached the model at all: the killed attempt of B is the only one made twice.
    expect(answerer.started.map((start) => `${start.speaker}${start.nth}`)).toEqual([
      'A1',
      'B1',
      'B2',
      'C1',
      'D1',
    ]);
    // The history agrees: one activity per participant, B's completed on its second attempt.
    const activities = completedActivities(await handle.fetchHistory());
    expect(activities.scheduled).toBe(4);
    expect(activities.completed.map((a) => [a.attempt, a.identity?.split('@')[0]])).toEqual([
      [1, String(first.pid)],
      [2, String(second.pid)],
      [1, String(second.pid)],
      [1, String(second.pid)],
    ]);
    // The transcript: the message and each answer once, in order.
    const transcript = await session.transcript();
    expect(transcript.map((entry) => [entry.round, entry.from, entry.content])).toEqual([
      [1, 'user', 'What should we build next?'],
      ...responses.map((r) => [1, r.participantName, r.content]),
    ]);
    const view = await session.close();
    expect(view.usage.totalTokens).toBe(4 * 15);
    expect(view.participants.map((p) => p.historyLength)).toEqual([2, 2, 2, 2]);
  }, 180_000);
});
