import { WorkflowUpdateStage } from '@temporalio/client';
import { MultiParticipantSession } from '../../client/api/session';
import type { RoundResult } from '../../common/session';
import { sendMessageUpdate } from '../../common/sessionApi';
import { useServerKillEnvironment } from './support/serverKill';
import { firstTimer, lateAnswer, waitUntilRecorded } from './support/temporal';

const DEADLINE_MS = 8_000;
const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;

describe("a session round's deadline across a Temporal server SIGKILL", () => {
  // Agent-C is held at the model until released: its call is in flight through the outage.
  const environment = useServerKillEnvironment({
    latencyMs: 200,
    hold: (speaker) => speaker === 'Agent-C',
    taskQueue: 'durability-session-quorum-server-kill',
  });

  it('the deadline falls due while the server is down; restarted, it closes the round without C', async () => {
    const { answerer, taskQueue } = environment;
    const first = environment.client;
    const participants = ['Agent-A', 'Agent-B', 'Agent-C'].map((name) => ({
      name,
      role: 'panelist' as const,
      model,
    }));
    const startedAt = Date.now();
    const session = await MultiParticipantSession.create(
      first,
      { strategy: 'broadcast', deadlineMs: DEADLINE_MS, participants },
      { taskQueue },
    );
    // Accepted updates are in the history: the round's result is read back under this id after the restart.
    const updateId = 'round-1';
    await first.workflow.getHandle(session.sessionId).startUpdate(sendMessageUpdate, {
      args: [{ content: 'Which database?' }],
      updateId,
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    // Recorded by the server, not only served by the mock: A's and B's answers are in the database
    // the restarted server reads.
    await waitUntilRecorded(
      'A and B to answer while C is held',
      first.workflow.getHandle(session.sessionId),
      () => answerer.held.length === 1,
      2,
    );

    await environment.killServer();
    expect(Date.now() - startedAt).toBeLessThan(DEADLINE_MS);
    await new Promise((resolve) => setTimeout(resolve, startedAt + DEADLINE_MS + 1_000 - Date.now()));
    // The restarted server may fire the overdue timer before restartServer() has seen it ready.
    const restartBegan = Date.now();
    const fresh = await environment.restartServer();
    const handle = fresh.workflow.getHandle(session.sessionId);

    const result = await handle.getUpdateHandle<RoundResult>(updateId).result();
    expect(result.responses.map((response) => response.participantName).sort()).toEqual([
      'Agent-A',
      'Agent-B',
    ]);
    expect(result.closedEarly).toEqual({ reason: 'deadline', late: ['Agent-C'] });
    // Only C is called again: its 5 s heartbeat timeout may lapse during the outage, and then the
    // restarted server retries its call. A and B, recorded before the kill, are never asked again.
    expect(answerer.held.length).toBeGreaterThanOrEqual(1);
    expect(answerer.held.map((call) => call.speaker)).toEqual(answerer.held.map(() => 'Agent-C'));

    answerer.release();
    const attached = await MultiParticipantSession.attach(fresh, session.sessionId);
    const late = await lateAnswer(attached);
    expect(late).toMatchObject({ from: 'Agent-C', status: 'ok' });
    expect(late?.content).toMatch(/^Agent-C: answer/);
    await attached.close();

    // The deadline's timer fired once the server was back: it fell due while the server was down.
    // firstTimer reads whole seconds, so the bound is the second the restart began in.
    const deadline = firstTimer(await handle.fetchHistory());
    expect(deadline.seconds).toBe(DEADLINE_MS / 1000);
    expect(deadline.firedAt).toBeGreaterThanOrEqual(Math.floor(restartBegan / 1000) * 1000);
  }, 180_000);
});
