import { MultiParticipantSession } from '../../client/api/session';
import { replaceWorker, startPollingWorker, useDurableEnvironment } from './support/environment';
import { firstTimer, lateAnswer, waitUntilRecorded } from './support/temporal';

const DEADLINE_MS = 6_000;
const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;

describe("a session round's deadline across a worker SIGKILL", () => {
  // Agent-C never answers until released: its call is in flight when the worker dies, and again
  // (its retry on the new worker) when the deadline closes the round.
  const environment = useDurableEnvironment({ latencyMs: 200, hold: (speaker) => speaker === 'Agent-C' });

  it('the round closes at its deadline though no worker ran when it fell due; C answers late', async () => {
    const { answerer, client } = environment;
    const taskQueue = 'durability-session-quorum-kill';
    const first = await startPollingWorker(environment, taskQueue, 'worker-1');
    const participants = ['Agent-A', 'Agent-B', 'Agent-C'].map((name) => ({
      name,
      role: 'panelist' as const,
      model,
      ...(name === 'Agent-C' && { timeouts: { heartbeatMs: 5000 } }),
    }));
    const startedAt = Date.now();
    const session = await MultiParticipantSession.create(
      client,
      { strategy: 'broadcast', deadlineMs: DEADLINE_MS, participants },
      { taskQueue },
    );
    const handle = client.workflow.getHandle(session.sessionId);
    const round = session.sendMessage('user', 'Which database?');
    // A and B recorded before the kill: left to their heartbeat timeout, the deadline would close a
    // round with no answer.
    await waitUntilRecorded('A and B to answer while C is held', handle, () => answerer.held.length === 1, 2);
    // Killed before the deadline, no worker runs when it falls due: the server's timer fires all the same.
    const { killedAt } = await replaceWorker(environment, first, 'worker-2', {
      notBefore: startedAt + DEADLINE_MS + 1_000,
    });
    expect(killedAt - startedAt).toBeLessThan(DEADLINE_MS);
    const responses = await round;
    expect(responses.map((response) => response.participantName).sort()).toEqual(['Agent-A', 'Agent-B']);

    answerer.release();
    const late = await lateAnswer(session);
    expect(late).toMatchObject({ from: 'Agent-C', status: 'ok' });
    expect(late?.content).toMatch(/^Agent-C: answer/);
    await session.close();

    // The history holds the deadline's timer, fired after the kill (it was due while no worker ran).
    const deadline = firstTimer(await handle.fetchHistory());
    expect(deadline.seconds).toBe(DEADLINE_MS / 1000);
    expect(deadline.firedAt).toBeGreaterThanOrEqual(Math.floor(killedAt / 1000) * 1000);
  }, 180_000);
});
