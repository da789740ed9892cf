import { MultiParticipantSession } from '../../client/api/session';
import { replaceWorker, startPollingWorker, useDurableEnvironment } from './support/environment';
import { completedCalls } from './support/llm';
import { waitUntilInFlight } from './support/temporal';

// A worker killed, or stopped by Ctrl-C, while a call was in flight cost the call one attempt (a
// heartbeat timeout): the fourth such loss (the default retry allows 4 attempts) lost the answer for
// good. Here the participant allows one attempt, so one loss was enough.
describe('a call whose attempts ran out on lost workers', () => {
  const environment = useDurableEnvironment({
    latencyMs: 200,
    hold: (speaker, nth) => (speaker === 'A' || speaker === 'B') && nth === 1,
  });
  const participant = (name: string) => ({
    name,
    role: 'panelist' as const,
    model: { provider: 'openai' as const, model: 'gpt-4o-mini' },
    timeouts: { heartbeatMs: 1000 },
    retry: { initialIntervalMs: 100, maximumAttempts: 1 },
  });

  it('is asked again as a new call on the next worker, and its answer kept', async () => {
    const { mock, answerer, client } = environment;
    const taskQueue = 'durability-worker-loss-again';
    const first = await startPollingWorker(environment, taskQueue, 'worker-1');
    const session = await MultiParticipantSession.create(
      client,
      {
        strategy: 'broadcast',
        participants: [participant('A')],
      },
      { taskQueue },
    );
    const handle = client.workflow.getHandle(session.sessionId);
    const round = session.sendMessage('user', 'Still there?');
    await waitUntilInFlight('A to be answering', handle, () => answerer.held.length === 1);
    const { killedAt } = await replaceWorker(environment, first, 'worker-2');

    const [response] = await round;
    expect([response?.status, response?.error?.type]).toEqual(['ok', undefined]);
    const calls = completedCalls(mock);
    expect(calls.map((call) => [call.speaker, call.worker])).toEqual([['A', 'worker-2']]);
    expect(calls[0]?.at).toBeGreaterThan(killedAt);
    // The lost call, then the new one under the next id of its site; no other call made.
    expect(answerer.started.map((start) => `${start.speaker}${start.nth}`)).toEqual(['A1', 'A2']);
    const history = await handle.fetchHistory();
    const scheduled = (history.events ?? []).flatMap((event) => {
      const id = event.activityTaskScheduledEventAttributes?.activityId;
      return id?.startsWith('r1.') ? [id] : [];
    });
    expect(scheduled).toEqual(['r1.answer.A', 'r1.answer.A#again1']);
    await session.close();
  });

  // A budget reserved the worst case of the attempts the retry policy allows: no call beyond them.
  it('under a budget, is recorded as failed, not asked again', async () => {
    const { answerer, client } = environment;
    const taskQueue = 'durability-worker-loss-budget';
    const first = await startPollingWorker(environment, taskQueue, 'worker-3');
    const session = await MultiParticipantSession.create(
      client,
      {
        strategy: 'broadcast',
        participants: [{ ...participant('B'), maxOutputTokens: 512 }],
        budget: { maxTokens: 100_000 },
      },
      { taskQueue },
    );
    const handle = client.workflow.getHandle(session.sessionId);
    const round = session.sendMessage('user', 'Within budget?');
    await waitUntilInFlight('B to be answering', handle, () => answerer.held.some((h) => h.speaker === 'B'));
    await replaceWorker(environment, first, 'worker-4');

    const [response] = await round;
    expect([response?.status, response?.error?.type]).toEqual(['failed', 'TimeoutFailure']);
    const history = await handle.fetchHistory();
    const scheduled = (history.events ?? []).flatMap((event) => {
      const id = event.activityTaskScheduledEventAttributes?.activityId;
      return id?.startsWith('r1.') ? [id] : [];
    });
    expect(scheduled).toEqual(['r1.answer.B']);
    await session.close();
  });
});
