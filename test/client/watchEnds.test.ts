import type { WorkflowHandle } from '@temporalio/client';
import { CouncilUserError } from '../../common/userError';
import { MultiParticipantSession } from '../../client/api/session';
import { awaitRoundEnd } from '../../client/api/sessionRoundEnd';
import { watchSessionRound, type SessionRoundProgress } from '../../client/api/sessionRoundWatch';
import { answerAsParticipants } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';
import { waitFor } from '../helpers/wait';

// A watch of a session round ends by itself, on the real dev server, when the session is no longer
// running (terminated mid-round), was never there, or the watch's own bound passes.
const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;

/** Rejects if `promise` has not settled within `ms`: a bound for a watch that would never end. */
async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still watching after ${ms} ms`)), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

describe('round watches end when the session does', () => {
  // Every answer takes 20 s: a round is caught while it is played.
  const bench = useMockHarness('watch-ends', (mock) => answerAsParticipants(mock, 20_000));

  /** A session playing its first round, Slow's call in flight. */
  async function roundInFlight(): Promise<{ session: MultiParticipantSession; handle: WorkflowHandle }> {
    const { client, taskQueue } = bench.harness;
    const session = await MultiParticipantSession.create(client, { strategy: 'broadcast' }, { taskQueue });
    await session.addParticipant('Slow', model, 'panelist');
    session.sendMessage('user', 'Which option?').catch(() => undefined);
    await waitFor('the round to start', async () => (await session.view()).activeRound?.round === 1);
    return { session, handle: client.workflow.getHandle(session.sessionId) };
  }

  it('watchSessionRound: a session terminated mid-round ends the watch, its last progress says how', async () => {
    const { handle } = await roundInFlight();
    const seen: SessionRoundProgress[] = [];
    const watch = watchSessionRound(handle, { pollMs: 100, onProgress: (progress) => seen.push(progress) });
    await waitFor('a poll to see Slow thinking', () =>
      seen.some((p) => p.participants.some((q) => q.name === 'Slow' && q.state.kind === 'thinking')),
    );
    await handle.terminate('terminated mid-watch');
    const end = await within(30_000, watch.ended);
    expect(end).toEqual({ reason: 'run-closed', status: 'TERMINATED' });
    expect(seen.at(-1)?.end).toEqual(end);
    expect(seen.slice(0, -1).every((p) => p.end === undefined)).toBe(true);
    await watch.stop();
  });

  it('watchSessionRound: a session that does not exist ends the watch at once', async () => {
    const handle = bench.harness.client.workflow.getHandle(`no-such-session-${crypto.randomUUID()}`);
    const seen: SessionRoundProgress[] = [];
    const watch = watchSessionRound(handle, { pollMs: 100, onProgress: (progress) => seen.push(progress) });
    expect(await within(30_000, watch.ended)).toEqual({ reason: 'not-found' });
    expect(seen).toEqual([{ participants: [], answers: [], end: { reason: 'not-found' } }]);
    await watch.stop();
  });

  it('watchSessionRound ends at its bound, maxWatchMs, while the round goes on', async () => {
    const { handle } = await roundInFlight();
    const watch = watchSessionRound(handle, { pollMs: 100, maxWatchMs: 1_000, onProgress: () => undefined });
    expect(await within(30_000, watch.ended)).toEqual({ reason: 'time-limit', afterMs: 1_000 });
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await watch.stop();
    await handle.terminate('test over');
  });

  it('awaitRoundEnd: a session terminated mid-round is an error saying so', async () => {
    const { session, handle } = await roundInFlight();
    const waiting = awaitRoundEnd(session, 1);
    waiting.catch(() => undefined);
    await handle.terminate('terminated mid-wait');
    const error: unknown = await within(30_000, waiting).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CouncilUserError);
    expect((error as Error).message).toContain(
      `session "${session.sessionId}" ended (terminated) during round 1`,
    );
  });

  // An empty list is what a played round nobody answered gives: a round never asked for, or a
  // number no round has, is an error instead.
  it('awaitRoundEnd: a round not asked for, or no round number, is an error saying so', async () => {
    const { session, handle } = await roundInFlight();
    const refusal = (round: number) =>
      awaitRoundEnd(session, round, { maxWaitMs: 1_000 }).catch((e: unknown) => e);
    const later = await within(30_000, refusal(2));
    expect(later).toBeInstanceOf(CouncilUserError);
    expect((later as Error).message).toBe(
      `session "${session.sessionId}" has begun 1 round and none is waiting to begin: round 2 was not asked for`,
    );
    for (const round of [0, -1, 1.5]) {
      const error = await refusal(round);
      expect(error).toBeInstanceOf(CouncilUserError);
      expect((error as Error).message).toBe(`round ${round} is no round: rounds are numbered from 1`);
    }
    await handle.terminate('test over');
  });

  it('awaitRoundEnd ends at its bound, maxWaitMs, with an error', async () => {
    const { session, handle } = await roundInFlight();
    const error: unknown = await within(30_000, awaitRoundEnd(session, 1, { maxWaitMs: 1_000 })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CouncilUserError);
    expect((error as Error).message).toContain('round 1 is still being played after 1 s');
    await handle.terminate('test over');
  });
});
