import type { WorkflowHandle } from '@temporalio/client';
import { MultiParticipantSession } from '../../client/api/session';
import { MAX_CALLS_AFTER_WORKER_LOSS } from '../../workflows/shared/callModel';
import { replaceWorker, startPollingWorker, useDurableEnvironment } from './support/environment';
import { completedCalls } from './support/llm';
import { waitUntilInFlight } from './support/temporal';

/** The ids of the model calls the session's first round scheduled, in order. */
async function firstRoundCallIds(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const id = event.activityTaskScheduledEventAttributes?.activityId;
    return id?.startsWith('r1.') ? [id] : [];
  });
}

// A worker killed, or stopped by Ctrl-C, while a call was in flight cost the call one attempt (a
// heartbeat timeout): the fourth such loss (the default retry allows 4 attempts) lost the answer for
// good. Here the participant allows one attempt, so one loss was enough.
describe('a call whose attempts ran out on lost workers', () => {
  const environment = useDurableEnvironment({
    latencyMs: 200,
    hold: (speaker, nth) => ((speaker === 'A' || speaker === 'B') && nth === 1) || speaker === 'C',
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
    const scheduled = await firstRoundCallIds(handle);
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
    const scheduled = await firstRoundCallIds(handle);
    expect(scheduled).toEqual(['r1.answer.B']);
    await session.close();
  });

  // Each new call of a lost one is bounded too: a call no worker lives through is not asked forever.
  it(`is asked again at most ${MAX_CALLS_AFTER_WORKER_LOSS} times, then recorded as failed`, async () => {
    const { answerer, client } = environment;
    const taskQueue = 'durability-worker-loss-bound';
    let worker = await startPollingWorker(environment, taskQueue, 'worker-5');
    const session = await MultiParticipantSession.create(
      client,
      { strategy: 'broadcast', participants: [participant('C')] },
      { taskQueue },
    );
    const handle = client.workflow.getHandle(session.sessionId);
    const round = session.sendMessage('user', 'Anyone?');
    const askedOfC = () => answerer.started.filter((start) => start.speaker === 'C').length;
    for (let lost = 0; lost <= MAX_CALLS_AFTER_WORKER_LOSS; lost += 1) {
      await waitUntilInFlight(`C's call ${lost + 1} to be answering`, handle, () => askedOfC() === lost + 1);
      ({ worker } = await replaceWorker(environment, worker, `worker-5-${lost}`));
    }

    const [response] = await round;
    expect([response?.status, response?.error?.type]).toEqual(['failed', 'TimeoutFailure']);
    expect(askedOfC()).toBe(MAX_CALLS_AFTER_WORKER_LOSS + 1);
    const scheduled = await firstRoundCallIds(handle);
    const again = Array.from({ length: MAX_CALLS_AFTER_WORKER_LOSS }, (_, i) => `r1.answer.C#again${i + 1}`);
    expect(scheduled).toEqual(['r1.answer.C', ...again]);
    await session.close();
  });
});
