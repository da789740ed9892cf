import { MultiParticipantSession } from '../../client/api/session';
import type { TranscriptEntry } from '../../common/session';
import { replaceWorker, startPollingWorker, useDurableEnvironment } from './support/environment';
import { completedActivities } from './support/temporal';
import { waitFor } from './support/processes';

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
    // Recorded by the server, not only served by the mock: a worker killed between the two would leave
    // A and B to their heartbeat timeout, and the deadline would close a round with no answer.
    await waitFor(
      'A and B to answer while C is held',
      async () =>
        answerer.held.length === 1 && completedActivities(await handle.fetchHistory()).completed.length === 2,
      60_000,
    );
    // Killed before the deadline, no worker runs when it falls due: the server's timer fires all the same.
    const { killedAt } = await replaceWorker(environment, first, 'worker-2', {
      notBefore: startedAt + DEADLINE_MS + 1_000,
    });
    expect(killedAt - startedAt).toBeLessThan(DEADLINE_MS);
    const responses = await round;
    expect(responses.map((response) => response.participantName).sort()).toEqual(['Agent-A', 'Agent-B']);

    answerer.release();
    let late: TranscriptEntry | undefined;
    await waitFor(
      "C's late answer in the transcript",
      async () => (late = (await session.transcript()).find((entry) => entry.late === true)) !== undefined,
      60_000,
    );
    expect(late).toMatchObject({ from: 'Agent-C', status: 'ok' });
    expect(late?.content).toMatch(/^Agent-C: answer/);
    await session.close();

    // The history holds the deadline's timer, fired after the kill (it was due while no worker ran).
    const events = (await handle.fetchHistory()).events ?? [];
    const timer = events.find((event) => event.timerStartedEventAttributes);
    expect(Number(timer?.timerStartedEventAttributes?.startToFireTimeout?.seconds)).toBe(DEADLINE_MS / 1000);
    const fired = events.find((event) => event.timerFiredEventAttributes);
    const firedAt = Number(fired?.eventTime?.seconds) * 1000;
    expect(firedAt).toBeGreaterThanOrEqual(Math.floor(killedAt / 1000) * 1000);
  }, 180_000);
});
