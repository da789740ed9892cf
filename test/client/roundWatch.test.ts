import type { LLMock } from '@copilotkit/aimock';
import { startCouncil } from '../../client/api/council';
import { closeOneRoundSession, startOneRoundSession } from '../../client/api/oneRoundSession';
import { councilRetries, type CallRetry } from '../../client/api/pendingCalls';
import { MultiParticipantSession } from '../../client/api/session';
import type { RoundChoice } from '../../client/api/sessionRoundTracker';
import { watchSessionRound, type SessionRoundProgress } from '../../client/api/sessionRoundWatch';
import { council, expert, scriptedCouncil } from '../council/support';
import { useMockHarness } from '../helpers/mockHarness';
import { waitFor } from '../helpers/wait';
import { CouncilBoard } from '../../client/cli/councilBoard';
import type { ParticipantLine } from '../../client/cli/progress';

// The library's live view of a run, on the real dev server: the states, answers and retries the
// CLI shows while a round plays, read from any process through a workflow handle.
const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
/**
 * The backoff before the second attempt: the window in which a poll can see the retry. Wide, because
 * a poll (two queries and a describe) can take over a second on a loaded machine.
 */
const slowRetry = { maximumAttempts: 3, initialIntervalMs: 8000, backoffCoefficient: 1 };

/** Each named speaker's first call fails with a 500; every other call answers. */
function failFirstCallOf(mock: LLMock, speakers: readonly string[]): void {
  const failed = new Set<string>();
  scriptedCouncil(mock, (speaker) => {
    if (!speakers.includes(speaker) || failed.has(speaker)) return undefined;
    failed.add(speaker);
    return { error: { message: 'upstream exploded', type: 'server_error' }, status: 500 };
  });
}

describe('live progress through the library', () => {
  const bench = useMockHarness('round-watch', (mock) => failFirstCallOf(mock, ['Flaky', 'Expert A']));

  it('watchSessionRound: states, a retry with its reason, then every answer of the round once', async () => {
    const { client, taskQueue } = bench.harness;
    const session = await MultiParticipantSession.create(client, { strategy: 'broadcast' }, { taskQueue });
    await session.addParticipant('Steady', model, 'panelist');
    await session.addParticipant('Flaky', model, 'panelist', { retry: slowRetry });
    const handle = client.workflow.getHandle(session.sessionId);
    const seen: SessionRoundProgress[] = [];
    const watch = watchSessionRound(handle, {
      fromIndex: (await session.view()).transcriptLength,
      pollMs: 100,
      onProgress: (progress) => seen.push(progress),
    });
    const round = session.sendMessage('user', 'Which option?');
    const statesSeen = () => seen.flatMap((p) => p.participants.map((q) => ({ name: q.name, ...q.state })));
    // Its failure, if any, is awaited below; waiting must not leave it unhandled meanwhile.
    round.catch(() => undefined);
    await waitFor('a poll to see Flaky wait for its retry', () =>
      statesSeen().some((state) => state.name === 'Flaky' && state.kind === 'retrying'),
    );
    const responses = await round.finally(() => watch.stop());
    expect(responses.map((r) => [r.participantName, r.status])).toEqual([
      ['Steady', 'ok'],
      ['Flaky', 'ok'],
    ]);
    const states = statesSeen();
    expect(states).toContainEqual({
      name: 'Flaky',
      kind: 'retrying',
      attempt: 2,
      maxAttempts: 3,
      reason: expect.stringContaining('upstream exploded'),
    });
    expect(states).toContainEqual({ name: 'Steady', kind: 'done', tokens: 15 });
    // A retry is dated when its failed attempt ended, after the call began thinking.
    const flaky = seen.flatMap((p) => p.participants.filter((q) => q.name === 'Flaky'));
    const began = flaky.find((q) => q.state.kind === 'thinking')?.since ?? '';
    const retried = flaky.find((q) => q.state.kind === 'retrying')?.since ?? '';
    expect(Date.parse(retried)).toBeGreaterThan(Date.parse(began));
    // The poll after the round's end may not come before stop(): answers are those recorded by then, once each.
    const answered = seen.flatMap((p) => p.answers.map((entry) => entry.from));
    expect(new Set(answered).size).toBe(answered.length);
    expect(answered.every((name) => name === 'Steady' || name === 'Flaky')).toBe(true);
    expect(answered).toContain('Steady');
    await session.close();
  });

  it('watchSessionRound: only the round an update asked for, or round N, when rounds follow one another', async () => {
    const { client, taskQueue } = bench.harness;
    const session = await MultiParticipantSession.create(client, { strategy: 'broadcast' }, { taskQueue });
    await session.addParticipant('Steady', model, 'panelist');
    const handle = client.workflow.getHandle(session.sessionId);
    const fromIndex = (await session.view()).transcriptLength;
    const rounds = (only?: RoundChoice) => {
      const answered: number[] = [];
      const watch = watchSessionRound(handle, {
        fromIndex,
        pollMs: 100,
        ...(only && { only }),
        onProgress: (progress) => answered.push(...progress.answers.map((entry) => entry.round)),
      });
      return { answered, watch };
    };
    const [everyRound, byUpdate, byNumber] = [
      rounds(),
      rounds({ updateId: 'first-of-two' }),
      rounds({ round: 2 }),
    ];
    // Both rounds are logged past `fromIndex`, as when two people send one after the other.
    await session.sendMessage('user', 'First?', { updateId: 'first-of-two' });
    await session.sendMessage('user', 'Second?');
    await Promise.all([everyRound, byUpdate, byNumber].map(({ watch }) => watch.stop()));
    expect(everyRound.answered).toEqual([1, 2]);
    expect(byUpdate.answered).toEqual([1]);
    expect(byNumber.answered).toEqual([2]);
    await session.close();
  });

  it('watchSessionRound: a call that ends between two polls is still seen thinking, then done with its answer', async () => {
    const { client, taskQueue } = bench.harness;
    const session = await MultiParticipantSession.create(client, { strategy: 'roundRobin' }, { taskQueue });
    await session.addParticipant('Quick', model, 'panelist');
    await session.addParticipant('Steady', model, 'panelist');
    const handle = client.workflow.getHandle(session.sessionId);
    const seen: SessionRoundProgress[] = [];
    // One poll as the watch starts, the next long after the round: only the log can tell the states.
    const watch = watchSessionRound(handle, {
      fromIndex: (await session.view()).transcriptLength,
      pollMs: 600_000,
      onProgress: (progress) => seen.push(progress),
    });
    await session.sendMessage('user', 'Which option?');
    await watch.stop();
    const statesOf = (name: string) =>
      seen
        .map((p) => p.participants.find((q) => q.name === name)?.state.kind)
        .filter((kind, i, all) => kind !== undefined && kind !== all[i - 1]);
    expect(statesOf('Quick')).toEqual(['waiting', 'thinking', 'done']);
    expect(statesOf('Steady')).toEqual(['waiting', 'thinking', 'done']);
    // Each answer comes with the progress that shows its call done.
    for (const progress of seen) {
      for (const answer of progress.answers) {
        expect(progress.participants.find((q) => q.name === answer.from)?.state.kind).toBe('done');
      }
    }
    expect(seen.flatMap((p) => p.answers.map((entry) => entry.from))).toEqual(['Quick', 'Steady']);
    await session.close();
  });

  it("councilRetries: a council expert's call in backoff, matched to the expert by id", async () => {
    const { client, taskQueue } = bench.harness;
    const councilId = await startCouncil(client, council('parallel', [expert('a'), expert('b')]), {
      taskQueue,
    });
    const handle = client.workflow.getHandle(councilId);
    let retries: CallRetry[] = [];
    await waitFor('the failed call of Expert A to wait for its retry', async () => {
      retries = await councilRetries(handle, ['a', 'b']);
      return retries.length > 0;
    });
    expect(retries).toEqual([
      {
        participant: 'a',
        activityId: 'r1.answer.a',
        attempt: 2,
        maxAttempts: 4,
        reason: expect.stringContaining('upstream exploded'),
        failedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/),
      },
    ]);
    // The CLI's council board shows it as a session's line does: the attempt of how many.
    const lines: ParticipantLine[][] = [];
    const board = new CouncilBoard(
      {
        update: (now) => lines.push([...now]),
        answer: () => undefined,
        text: () => undefined,
        stop: () => undefined,
      },
      councilId,
    );
    const at = new Date();
    board.expert({
      seq: 0,
      kind: 'expert',
      expertId: 'a',
      expertName: 'Expert A',
      phase: 'answer',
      round: 1,
      state: 'thinking',
      at,
    });
    await board.pollRetries(handle);
    expect(lines.at(-1)?.find((line) => line.name === 'Expert A')?.state).toMatchObject({
      kind: 'retrying',
      attempt: 2,
      maxAttempts: 4,
    });
    // Without the thinking participants, the retry is still listed, owned by nobody.
    const anonymous = await councilRetries(handle);
    expect(anonymous.every((retry) => retry.participant === undefined)).toBe(true);
    await handle.result();
    expect(await councilRetries(handle, ['a', 'b'])).toEqual([]);
  });

  it('closeOneRoundSession: waits for a run to close, and closes one that does not close itself', async () => {
    const { client, taskQueue } = bench.harness;
    const run = await startOneRoundSession(
      client,
      { strategy: 'broadcast', participants: [{ name: 'Steady', model, role: 'panelist' }] },
      'Which?',
      {
        sessionId: `one-round-${crypto.randomUUID()}`,
        taskQueue,
      },
    );
    await run.round.result();
    await closeOneRoundSession(run.handle);
    expect((await run.handle.describe()).status.name).toBe('COMPLETED');
    // A session an older client started stays open after its round.
    const session = await MultiParticipantSession.create(client, { strategy: 'broadcast' }, { taskQueue });
    await session.addParticipant('Steady', model, 'panelist');
    await session.sendMessage('user', 'Which?');
    const handle = client.workflow.getHandle(session.sessionId);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await closeOneRoundSession(handle);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });
});
