import { setTimeout as sleep } from 'node:timers/promises';
import { sendHumanMessage, startCouncil } from '../../client/api/council';
import { attachCouncil } from '../../client/api/councilAttach';
import { councilHumanMessages, readCouncilProgress, readCouncilResult } from '../../client/api/councilRead';
import { CouncilUserError, RunNotFoundError, SessionIdTakenError } from '../../common/userError';
import { resumeOneRoundSession, startOneRoundSession } from '../../client/api/oneRoundSession';
import { listRuns, type RunRow } from '../../client/api/runRow';
import { cancelRun, findRun } from '../../client/api/runs';
import { MultiParticipantSession } from '../../client/api/session';
import { awaitRoundEnd } from '../../client/api/sessionRoundEnd';
import { answerAsParticipants, chatRequests, speakerOf } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';
import { waitFor } from '../helpers/wait';
import { council, expert, model } from '../council/support';

// The library calls the CLI's `attach`, `show` and `cancel` go through, on the real dev server.

describe('a session or council by id: find, read, resume, cancel', () => {
  // Answers take a moment, so a round can be caught while it is played.
  const bench = useMockHarness('runs-by-id', (mock) => answerAsParticipants(mock, 300));
  const waiting = { awaitHumanBetweenRounds: { timeoutMs: 3_600_000 } };

  /** Starts a one-expert council and waits, bounded, until it waits for a person after its round. */
  async function waitingCouncil(name: string): Promise<string> {
    const { client, taskQueue } = bench.harness;
    const councilId = await startCouncil(client, council('sequential', [expert('a')], waiting), {
      taskQueue,
      councilId: `by-id-${name}-${Date.now()}`,
    });
    for (let i = 0; i < 300; i += 1) {
      if ((await readCouncilProgress(client, councilId)).status === 'awaiting-human') return councilId;
      await sleep(50);
    }
    throw new Error(`council ${councilId} never waited for a person`);
  }

  it('findRun tells a session from a council, and names an unknown id', async () => {
    const { client, taskQueue } = bench.harness;
    const councilId = await startCouncil(client, council('sequential', [expert('a')], waiting), {
      taskQueue,
      councilId: `by-id-find-${Date.now()}`,
    });
    const session = await MultiParticipantSession.create(client, { strategy: 'broadcast' }, { taskQueue });

    expect((await findRun(client, councilId)).kind).toBe('council');
    const found = await findRun(client, session.sessionId);
    expect(found).toMatchObject({ kind: 'session', memo: undefined });
    expect(found.description.status.name).toBe('RUNNING');
    const unknown = findRun(client, 'by-id-nothing-here');
    await expect(unknown).rejects.toBeInstanceOf(RunNotFoundError);
    await expect(unknown).rejects.toMatchObject({
      name: 'RunNotFoundError',
      kind: 'run',
      id: 'by-id-nothing-here',
    });
    await expect(unknown).rejects.toThrow('no session or council with id "by-id-nothing-here"');
    // Ids that can name nothing are said so here, not by the server's INVALID_ARGUMENT.
    for (const lookup of [findRun(client, ''), MultiParticipantSession.attach(client, '')]) {
      await expect(lookup).rejects.toThrow(new CouncilUserError('an empty id names no session or council'));
    }
    await expect(findRun(client, 'x'.repeat(1001))).rejects.toThrow(
      'an id of 1001 bytes names no session or council: Temporal takes at most 1000',
    );
    // Followed as the other kind, each says what it is at once (a council's attach waited on a session).
    await expect(MultiParticipantSession.attach(client, councilId)).rejects.toThrow(
      `"${councilId}" is a council, not a session`,
    );
    await expect(attachCouncil(client, session.sessionId)).rejects.toThrow(
      `"${session.sessionId}" is a session, not a council`,
    );

    // The council readers too: none waits on a session, reads it as a council, or throws the SDK's error.
    for (const read of [readCouncilResult, readCouncilProgress, councilHumanMessages]) {
      await expect(read(client, session.sessionId)).rejects.toThrow(
        new CouncilUserError(`"${session.sessionId}" is a session, not a council`),
      );
      const unknownCouncil = read(client, 'by-id-nothing-here');
      await expect(unknownCouncil).rejects.toBeInstanceOf(RunNotFoundError);
      await expect(unknownCouncil).rejects.toThrow('no session or council with id "by-id-nothing-here"');
    }

    await cancelRun(await findRun(client, councilId));
    const cancelled = readCouncilResult(client, councilId);
    await expect(cancelled).rejects.toBeInstanceOf(CouncilUserError);
    await expect(cancelled).rejects.toThrow(`council ${councilId} was cancelled before its synthesis`);
    await session.close();
  });

  it('cancelRun ends a running council as cancelled, and refuses one that is not running', async () => {
    const { client } = bench.harness;
    const councilId = await waitingCouncil('cancel');

    const found = await findRun(client, councilId);
    await cancelRun(found);
    const ended = await findRun(client, councilId);
    expect(ended.description.status.name).toBe('CANCELLED');
    await expect(cancelRun(ended)).rejects.toThrow(`council "${councilId}" is closed (cancelled)`);
    // The run as found before its cancel is asked again: it resolved as if it had cancelled it once more.
    await expect(cancelRun(found)).rejects.toThrow(`council "${councilId}" is closed (cancelled)`);
    // Its id is taken for good: a council started under it is refused as a session would be.
    const again = startCouncil(client, council('sequential', [expert('a')]), {
      taskQueue: bench.harness.taskQueue,
      councilId,
    });
    await expect(again).rejects.toBeInstanceOf(SessionIdTakenError);
    await expect(again).rejects.toThrow(`a session or council with id "${councilId}" already exists`);
  });

  it("reads a council's progress, the messages people sent it and its result", async () => {
    const { client } = bench.harness;
    const councilId = await waitingCouncil('read');
    const progress = await readCouncilProgress(client, councilId);
    expect(progress.messages.map((message) => message.sender)).toEqual(['a']);
    expect(await councilHumanMessages(client, councilId)).toEqual([]);

    await sendHumanMessage(client, councilId, { content: 'Mind the costs.', senderName: 'Alice' });
    const result = await readCouncilResult(client, councilId);

    expect(result.synthesis.status).toBe('done');
    expect(result.outputs.a?.status).toBe('done');
    const people = await councilHumanMessages(client, councilId);
    expect(people).toEqual([
      { round: 1, message: expect.objectContaining({ senderName: 'Alice', content: 'Mind the costs.' }) },
    ]);
    // A completed council leaves its tokens in its memo, for lists that read no result.
    let row: RunRow | undefined;
    for (let i = 0; i < 100 && row?.tokens == null; i += 1) {
      row = (await listRuns(client, { kind: 'council', limit: 50 })).runs.find((run) => run.id === councilId);
      if (row?.tokens == null) await sleep(100);
    }
    expect(result.tokenUsage.total.totalTokens).toBeGreaterThan(0);
    expect(row?.tokens).toBe(result.tokenUsage.total.totalTokens);
  });

  it('resumeOneRoundSession hands back the round already asked, running or closed, without asking again', async () => {
    const { client, taskQueue } = bench.harness;
    const sessionId = `by-id-resume-${Date.now()}`;
    const config = {
      strategy: 'broadcast' as const,
      participants: [{ name: 'Agent-1', role: 'panelist' as const, model }],
    };
    await startOneRoundSession(client, config, 'One question?', { sessionId, taskQueue });

    const running = await resumeOneRoundSession(client, sessionId, 'One question?');
    const answered = await running.round.result();
    expect(answered.responses).toEqual([
      expect.objectContaining({ participantName: 'Agent-1', status: 'ok' }),
    ]);
    expect(await running.handle.result()).toMatchObject({ closed: true, round: 1 });
    const closed = await resumeOneRoundSession(client, sessionId, 'One question?');
    expect(await closed.round.result()).toEqual(answered);
    expect(chatRequests(bench.mock)).toHaveLength(1);
    // Another question would be handed the first one's answers: it is refused, naming both.
    await expect(resumeOneRoundSession(client, sessionId, 'Another question?')).rejects.toThrow(
      `session ${sessionId} was asked "One question?", not "Another question?"`,
    );
    const none = resumeOneRoundSession(client, `${sessionId}-none`, 'Q?');
    await expect(none).rejects.toThrow(`no session with id "${sessionId}-none"`);
    await expect(none).rejects.toMatchObject({ kind: 'session', id: `${sessionId}-none` });
  });

  it('awaitRoundEnd waits out the round in progress and reads its answers back', async () => {
    const { client, taskQueue } = bench.harness;
    const session = await MultiParticipantSession.create(client, { strategy: 'broadcast' }, { taskQueue });
    await session.addParticipant('Agent-1', model, 'panelist');
    await session.addParticipant('Agent-2', model, 'panelist');
    // The round's answers wait for the test: a loaded machine could otherwise end the round before
    // the follower first sees it in progress.
    const question = `Which plan first? ${Date.now()}`;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    bench.mock.prependFixture({
      match: { predicate: (request) => JSON.stringify(request.messages).includes(question) },
      response: async (request) => {
        await held;
        return { content: `${speakerOf({ body: request }) ?? 'unknown'}: held answer` };
      },
    });
    const sent = session.sendMessage('user', question);
    const follower = await MultiParticipantSession.attach(client, session.sessionId);
    await waitFor(
      'the follower to see round 1 in progress',
      async () => (await follower.view()).activeRound?.round === 1,
    );

    let ended = false;
    const reading = awaitRoundEnd(follower, 1).finally(() => (ended = true));
    await sleep(300);
    expect(ended).toBe(false);
    release();
    const read = await reading;
    const responses = await sent;
    const brief = (r: { participantName: string; content: string; status: string }) =>
      [r.participantName, r.content, r.status] as const;
    // The transcript holds answers as they ended; the round's responses in the participants' order.
    const byName = (a: readonly string[], b: readonly string[]) => (a[0] ?? '').localeCompare(b[0] ?? '');
    expect(read.map(brief).sort(byName)).toEqual(responses.map(brief).sort(byName));
    expect(await awaitRoundEnd(follower, 1)).toEqual(read);
    await session.close();
  });

  it('awaitRoundEnd and the transcript keep why a call failed: a process that resumes can tell', async () => {
    const { client, taskQueue } = bench.harness;
    const session = await MultiParticipantSession.create(client, { strategy: 'broadcast' }, { taskQueue });
    await session.addParticipant('Solo', model, 'panelist');
    bench.mock.nextRequestError(401, {
      message: 'Incorrect API key provided',
      type: 'invalid_request_error',
    });
    const [sent] = await session.sendMessage('user', 'Hello?');
    expect(sent?.status).toBe('failed');
    expect(sent?.error?.message).toContain('Incorrect API key provided');

    const resumed = await MultiParticipantSession.attach(client, session.sessionId);
    const [read] = await awaitRoundEnd(resumed, 1);
    expect(read?.error).toEqual(sent?.error);
    const entry = (await resumed.transcript()).find((e) => e.from === 'Solo');
    expect(entry?.error).toEqual(sent?.error);
    await session.close();
  });

  it('a round in flight when its session is cancelled rejects in one CouncilUserError', async () => {
    const { client, taskQueue } = bench.harness;
    const session = await MultiParticipantSession.create(client, { strategy: 'broadcast' }, { taskQueue });
    await session.addParticipant('Agent-1', model, 'panelist');
    const sent = session.sendMessage('user', 'Which plan first?').catch((error: unknown) => error);
    await waitFor('round 1 in progress', async () => (await session.view()).activeRound?.round === 1);
    await client.workflow.getHandle(session.sessionId).cancel();
    const error = await sent;
    expect(error).toBeInstanceOf(CouncilUserError);
    expect((error as CouncilUserError).toOneLine()).toBe(
      `session ${session.sessionId} was cancelled during this round ` +
        `(its answers so far: council show ${session.sessionId})`,
    );
  });

  it('listRuns finds runs by their search attributes, and refuses a filter it cannot query', async () => {
    const { client } = bench.harness;
    const councilId = await waitingCouncil('list');
    let listed: Awaited<ReturnType<typeof listRuns>> = { query: '', runs: [] };
    // Visibility lags the start a little.
    for (let i = 0; i < 100 && !listed.runs.some((run) => run.id === councilId); i += 1) {
      listed = await listRuns(client, { kind: 'council', status: 'awaiting-human', limit: 50 });
      await sleep(100);
    }
    expect(listed.query).toBe(
      "CouncilKind = 'council' AND CouncilStatus = 'awaiting-human' AND ExecutionStatus = 'Running'",
    );
    expect(listed.runs.find((run) => run.id === councilId)).toMatchObject({
      kind: 'council',
      workflowStatus: 'running',
      // A council's task is its question, however it was started.
      question: 'Decide whether to adopt a four-day work week.',
    });
    const sessions = await listRuns(client, { kind: 'session', limit: 1 });
    expect(sessions.runs.length).toBeLessThanOrEqual(1);
    await expect(listRuns(client, { status: "x' OR 1=1" })).rejects.toThrow(
      'invalid run filter: status: a status is one of idle, running, waiting-budget, closed',
    );
    // A well-formed status no run publishes is refused too: it would list nothing, silently.
    await expect(listRuns(client, { status: 'banana' })).rejects.toThrow('status: a status is one of');
    await expect(listRuns(client, { strategy: 'roundtable' })).rejects.toThrow('a strategy is one of');
    // A council's mode among sessions, or a session's strategy among councils, matched no run in silence.
    await expect(listRuns(client, { kind: 'session', strategy: 'parallel' })).rejects.toThrow(
      'invalid run filter: strategy: "parallel" is a council\'s mode, and kind is session: no run has both',
    );
    await expect(listRuns(client, { kind: 'council', strategy: 'broadcast' })).rejects.toThrow(
      '"broadcast" is a session\'s strategy, and kind is council',
    );
    await cancelRun(await findRun(client, councilId));
  });
});
