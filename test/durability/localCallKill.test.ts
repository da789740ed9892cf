import { MultiParticipantSession } from '../../client/api/session';
import type { ParticipantSpecInput } from '../../common/participants';
import { replaceWorker, startPollingWorker, useDurableEnvironment } from './support/environment';
import { completedCalls } from './support/llm';
import { waitFor } from './support/processes';
import { completedActivities } from './support/temporal';

const LATENCY_MS = 1000;

/** A participant whose calls are local activities; a quick retry, as the regular kill test's. */
function local(name: string): ParticipantSpecInput {
  return {
    name,
    role: 'panelist',
    model: { provider: 'openai', model: 'gpt-4o-mini' },
    callAs: 'local',
    retry: { initialIntervalMs: 100, maximumAttempts: 5 },
  };
}

describe('a worker process SIGKILLed while a local participant is answering (callAs: local)', () => {
  // B's first call never answers: it is certainly in flight when the worker is killed.
  const environment = useDurableEnvironment({
    latencyMs: LATENCY_MS,
    hold: (speaker, nth) => speaker === 'B' && nth === 1,
  });

  it('completes the round on a new worker: the lost call is made again from the start', async () => {
    const { mock, answerer, client } = environment;
    const taskQueue = 'durability-local-call-kill';
    const first = await startPollingWorker(environment, taskQueue, 'worker-1');
    const session = await MultiParticipantSession.create(
      client,
      { strategy: 'roundRobin', participants: [local('A'), local('B')] },
      { taskQueue },
    );
    const round = session.sendMessage('user', 'What should we build next?');
    await waitFor('B to be answering', async () => answerer.held.length === 1, 60_000);

    const { killedAt, worker: second } = await replaceWorker(environment, first, 'worker-2');
    const readyAt = second.readyAt;
    const responses = await round;
    const doneAt = Date.now();
    const calls = completedCalls(mock);
    console.log(
      `local call kill: new worker polling ${readyAt - killedAt} ms after the kill, round done ` +
        `${doneAt - readyAt} ms after that; calls that reached the model: ` +
        answerer.started.map((start) => `${start.speaker}${start.nth}`).join(' '),
    );

    expect(responses.map((r) => [r.participantName, r.status, r.shown])).toEqual([
      ['A', 'ok', []],
      ['B', 'ok', ['A']],
    ]);
    // B's answer is the new worker's: the killed attempt was made again, from the start.
    expect(calls.filter((call) => call.speaker === 'B').map((call) => call.worker)).toEqual(['worker-2']);
    expect(answerer.started.filter((start) => start.speaker === 'B').map((start) => start.nth)).toEqual([
      1, 2,
    ]);
    // A's call ended in the workflow task that was still open when the worker died (a local call's
    // result is recorded when its task completes): the new worker made it again as well.
    expect(calls.filter((call) => call.speaker === 'A').map((call) => call.worker)).toEqual([
      'worker-1',
      'worker-2',
    ]);
    // No model call went through the server as an activity.
    const handle = client.workflow.getHandle(session.sessionId);
    expect(completedActivities(await handle.fetchHistory()).scheduled).toBe(0);
    // The transcript: the message and each answer once, in order.
    const transcript = await session.transcript();
    expect(transcript.map((entry) => [entry.round, entry.from, entry.content])).toEqual([
      [1, 'user', 'What should we build next?'],
      ...responses.map((r) => [1, r.participantName, r.content]),
    ]);
    await session.close();
  }, 180_000);
});
