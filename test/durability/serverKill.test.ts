import { MultiParticipantSession } from '../../client/api/session';
import type { RoundResult } from '../../common/session';
import { sendMessageUpdate } from '../../common/sessionApi';
import { completedCalls } from './support/llm';
import { waitFor } from './support/processes';
import { useServerKillEnvironment } from './support/serverKill';
import { panelist, pendingActivities, STARTED } from './support/temporal';

const NAMES = ['X', 'Y', 'Z'];

describe('the Temporal server SIGKILLed during a broadcast round', () => {
  // Every call is held at the model until the server is back: all are in flight through the outage.
  const environment = useServerKillEnvironment({
    latencyMs: 1000,
    hold: () => true,
    taskQueue: 'durability-server-kill',
  });

  it('restarted on the same SQLite file, the session completes; the waiting client and a new one get the result', async () => {
    const { answerer, mock, taskQueue } = environment;
    const waiting = environment.client;
    // A heartbeat timeout longer than the outage: calls in flight are not retried for it.
    const session = await MultiParticipantSession.create(
      waiting,
      { strategy: 'broadcast', participants: NAMES.map((name) => panelist(name, 15_000)) },
      { taskQueue },
    );
    const handle = waiting.workflow.getHandle(session.sessionId);
    // A known update id lets any client, in any process, wait on this round's result.
    const updateId = 'round-1';
    const round = handle.executeUpdate(sendMessageUpdate, {
      args: [{ role: 'user', content: 'Is the plan sound?' }],
      updateId,
    });
    // Settled either way, so an error while the server is down is not an unhandled rejection.
    const waited = round.then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error }),
    );
    await waitFor(
      'all three calls to be in flight',
      async () =>
        answerer.held.length === 3 &&
        (await pendingActivities(handle)).filter((a) => a.state === STARTED).length === 3,
      60_000,
    );

    await environment.killServer();
    const killedAt = Date.now();
    expect(completedCalls(mock)).toHaveLength(0);
    const fresh = await environment.restartServer();
    const restartedAt = Date.now();
    const freshHandle = fresh.workflow.getHandle(session.sessionId);
    await freshHandle.describe();
    const answeringAt = Date.now();
    answerer.release();
    const attached = await freshHandle.getUpdateHandle<RoundResult>(updateId).result();
    const attachedAt = Date.now();
    const outcome = await waited;
    console.log(
      `server kill: restarted on the same SQLite file in ${restartedAt - killedAt} ms ` +
        `(start-dev ${environment.server.startMs} ms); a new client described the session ${answeringAt - killedAt} ms ` +
        `after the kill and had the round's result ${attachedAt - killedAt} ms after it; the waiting ` +
        `client ${outcome.error ? `failed: ${String(outcome.error)}` : 'got the result too'}`,
    );

    expect(attached.responses.map((r) => [r.participantName, r.status])).toEqual(NAMES.map((n) => [n, 'ok']));
    // The client that was waiting through the outage reconnected on its own.
    expect(outcome.error).toBeUndefined();
    expect(outcome.result).toEqual(attached);
    // Every participant answered once; no call completed twice.
    expect(
      completedCalls(mock)
        .map((call) => call.speaker)
        .sort(),
    ).toEqual(NAMES);
    const newSession = await MultiParticipantSession.attach(fresh, session.sessionId);
    const transcript = await newSession.transcript();
    // The message, then each answer once (in the order the answers came).
    expect(transcript[0]?.from).toBe('user');
    expect(
      transcript
        .slice(1)
        .map((entry) => `${entry.from} ${entry.content}`)
        .sort(),
    ).toEqual(attached.responses.map((r) => `${r.participantName} ${r.content}`).sort());
    const view = await newSession.close();
    expect(view.round).toBe(1);
    expect(view.usage.totalTokens).toBe(3 * 15);
  }, 180_000);
});
