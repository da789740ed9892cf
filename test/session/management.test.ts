import { LIMITS } from '../../common/defaults';
import { CouncilUserError } from '../../common/userError';
import { MultiParticipantSession } from '../../client/api/session';
import { CouncilStatusKey } from '../../common/searchAttributes';
import { answerAsParticipants, chatRequests, speakerOf } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;

describe('participant management and strategy changes while the session lives', () => {
  const bench = useMockHarness('management', (mock) => answerAsParticipants(mock));

  const newSession = (strategy: 'broadcast' | 'moderatorLed' = 'broadcast') =>
    MultiParticipantSession.create(
      bench.harness.client,
      { systemPrompt: 'System prompt', strategy },
      { taskQueue: bench.harness.taskQueue },
    );

  it('adds, lists, gets and removes participants; a client can attach by id and go on', async () => {
    const session = await newSession();
    await session.addParticipant('Agent-1', model, 'panelist');
    await session.addParticipantWithPriority('Agent-2', model, 'evaluator', 5);
    expect((await session.listParticipants()).map((p) => [p.name, p.role, p.priority])).toEqual([
      ['Agent-1', 'panelist', 0],
      ['Agent-2', 'evaluator', 5],
    ]);
    expect((await session.getParticipant('Agent-1'))?.spec.name).toBe('Agent-1');
    expect(await session.getParticipant('Nobody')).toBeUndefined();

    const attached = await MultiParticipantSession.attach(bench.harness.client, session.sessionId);
    await attached.removeParticipant('Agent-1');
    await attached.addParticipant('Agent-3', model, 'panelist');
    const responses = await attached.sendMessage('user', 'Hello');
    expect(responses.map((r) => r.participantName)).toEqual(['Agent-3', 'Agent-2']);
    expect(chatRequests(bench.mock).map(speakerOf)).not.toContain('Agent-1');
  });

  it('switches strategy mid-session and keeps each participant history', async () => {
    const session = await newSession();
    for (const name of ['A', 'B']) await session.addParticipant(name, model, 'panelist');
    const first = await session.sendMessage('user', 'Round one');
    expect(first.every((r) => r.shown.length === 0)).toBe(true);
    await session.setOrchestrationStrategy('roundRobin');
    const second = await session.sendMessage('user', "Let's dive deeper into this topic.");
    expect(second.map((r) => r.shown)).toEqual([[], ['A']]);
    const b = await session.getParticipant('B');
    expect(b?.history.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(b?.history[3]?.content).toBe(second[1]?.content);
    expect((await session.view()).strategy).toBe('roundRobin');
  });

  it('rejects bad input with a message saying what is wrong, and changes nothing', async () => {
    const session = await newSession('moderatorLed');
    await session.addParticipant('Expert', model, 'panelist');
    const before = await session.view();
    const rejections: Array<[Promise<unknown>, RegExp]> = [
      [session.sendMessage('user', 'Hi'), /needs a participant with role "moderator"/],
      [session.addParticipant('Expert', model, 'panelist'), /already in the session: pick another name/],
      [session.removeParticipant('Ghost'), /no participant named "Ghost".*participants: Expert/],
      [session.sendMessage('user', '   '), /content: the message is empty/],
      [
        session.addParticipantWithPriority('P', model, 'panelist', 1.5),
        /priority: priority must be a whole number/,
      ],
      [session.addParticipant('R', model, 'boss' as never), /role: .*expected one of/i],
      [
        session.setOrchestrationStrategy('chaos' as never),
        /strategy must be one of broadcast, .* and is "chaos"/,
      ],
      [session.sendMessage('user', 'Hi', { participants: ['Ghost'] }), /no participant named "Ghost"/],
      // A name with an escape is quoted with it shown, not read as the participant it resembles once
      // a terminal drops the escape.
      [
        session.sendMessage('user', 'Hi', { participants: ['Expert\u001b[31m'] }),
        /no participant named "Expert\\u001b\[31m" in this session/,
      ],
    ];
    for (const [attempt, message] of rejections) {
      const error = await attempt.then(
        () => undefined,
        (rejection: unknown) => rejection,
      );
      expect(error).toBeInstanceOf(CouncilUserError);
      expect((error as Error).message).toMatch(message);
    }
    const after = await session.view();
    expect(after).toEqual(before);
    expect(chatRequests(bench.mock)).toHaveLength(0);
  });

  /** A broadcast config of panelists with these names. */
  const panelOf = (...names: string[]) => ({
    strategy: 'broadcast' as const,
    participants: names.map((name) => ({ name, role: 'panelist' as const, model })),
  });

  it('refuses a config that names a participant twice before anything starts', async () => {
    const { client, taskQueue } = bench.harness;
    const config = panelOf('A', 'A');
    const sessionId = `duplicate-names-${Date.now()}`;
    const error = await MultiParticipantSession.create(client, config, { taskQueue, sessionId }).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(CouncilUserError);
    expect((error as Error).message).toBe(
      'invalid session config: participants[1].name: duplicate name "A" (also participants[0].name): names must be unique',
    );
    const started = await client.workflow
      .getHandle(sessionId)
      .describe()
      .then(
        () => true,
        () => false,
      );
    expect(started).toBe(false);
  });

  it('refuses names that look alike: case, or an accent encoded another way', async () => {
    const { client, taskQueue } = bench.harness;
    await expect(
      MultiParticipantSession.create(client, panelOf('Dev', 'dev'), { taskQueue }),
    ).rejects.toThrow(
      new CouncilUserError(
        'invalid session config: participants[1].name: name "dev" differs from participants[0].name "Dev" ' +
          "only in case or accents' encoding: names must be unique, and look unique",
      ),
    );
    const session = await newSession();
    await session.addParticipant('Dev', model, 'panelist');
    await session.addParticipant('Jos\u00e9', model, 'panelist');
    for (const [alike, existing] of [
      ['dev', 'Dev'],
      ['Jose\u0301', 'Jos\u00e9'],
    ]) {
      const refused = session.addParticipant(alike ?? '', model, 'panelist');
      await expect(refused).rejects.toBeInstanceOf(CouncilUserError);
      await expect(refused).rejects.toThrow(
        `"${alike}" differs from the participant "${existing}" only in case or accents' encoding: pick another name`,
      );
    }
    expect((await session.listParticipants()).map((p) => p.name)).toEqual(['Dev', 'Jos\u00e9']);
    await session.close();
  });

  it('takes participants up to LIMITS.maxParticipants, as a config does, and refuses one more', async () => {
    const session = await newSession();
    for (let i = 1; i <= LIMITS.maxParticipants; i += 1)
      await session.addParticipant(`P${i}`, model, 'panelist');
    const error = await session.addParticipant('One more', model, 'panelist').then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(CouncilUserError);
    expect((error as Error).message).toBe(
      `the session has ${LIMITS.maxParticipants} participants, the most it takes: remove one first`,
    );
    expect(await session.listParticipants()).toHaveLength(LIMITS.maxParticipants);
    await session.close();
  });

  it('marks a cancelled session as cancelled in its search attributes, and closed in its view', async () => {
    const session = await newSession();
    await session.addParticipant('A', model, 'panelist');
    const handle = bench.harness.client.workflow.getHandle(session.sessionId);
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    const description = await handle.describe();
    expect(description.status.name).toBe('CANCELLED');
    expect(description.typedSearchAttributes.get(CouncilStatusKey)).toBe('cancelled');
    // It takes no more rounds: its view says closed, as the server says it ended.
    expect((await session.view()).closed).toBe(true);
  });

  it("refuses a round under an updateId a round with another message used, which the server answered with that round's result", async () => {
    const session = await newSession();
    await session.addParticipant('A', model, 'panelist');
    const first = await session.sendRound('user', 'first', { updateId: 'u-1' });
    // The same message again under its id is that round, as a retry of it is.
    expect((await session.sendRound('user', 'first', { updateId: 'u-1' })).round).toBe(first.round);
    await expect(session.sendMessage('user', 'second, another message', { updateId: 'u-1' })).rejects.toThrow(
      /updateId "u-1" is round 1's, sent with another message: this one was not sent/,
    );
    await expect(session.sendMessage('system', 'first', { updateId: 'u-1' })).rejects.toThrow(
      CouncilUserError,
    );
    const transcript = await session.transcript();
    expect(transcript.filter((entry) => entry.role === 'user').map((entry) => entry.content)).toEqual([
      'first',
    ]);
  });

  it("refuses a JavaScript caller's arguments of the wrong type, naming what it got", async () => {
    const session = await newSession();
    await session.addParticipant('Bob', model, 'panelist');
    const rejections: Array<[Promise<unknown>, RegExp]> = [
      [session.setParticipantRole('Bob', 'panelist', Number.NaN), /priority: .*NaN/],
      [session.setParticipantRole('Bob', 'chair' as never), /role: .*"chair"|role: Invalid option/],
      [
        session.setOrchestrationStrategy({} as never),
        /strategy must be one of broadcast, roundRobin.*and is an object/,
      ],
      [
        session.removeParticipant(undefined as never),
        /removeParticipant takes a participant's name, and got undefined/,
      ],
      [session.skipParticipant(7 as never), /skipParticipant takes a participant's name, and got 7/],
      [session.getParticipant(null as never), /getParticipant takes a participant's name, and got null/],
    ];
    for (const [attempt, message] of rejections) {
      await expect(attempt).rejects.toThrow(CouncilUserError);
      await expect(attempt).rejects.toThrow(message);
    }
    expect((await session.view()).strategy).toBe('broadcast');
  });

  it('refuses options a JavaScript caller misspelt or mistyped, where they were ignored', async () => {
    const create = (options: unknown) =>
      MultiParticipantSession.create(bench.harness.client, { strategy: 'broadcast' }, options as never);
    await expect(create({ sessionID: 'typo' })).rejects.toThrow(
      /invalid session options: sessionID: is spelt "sessionId"/,
    );
    await expect(create('abc')).rejects.toThrow(/invalid session options: .*expected object/);
    const session = await newSession();
    await session.addParticipant('A', model, 'panelist');
    await expect(session.sendMessage('user', 'Hi', { onToken: 'x' as never })).rejects.toThrow(
      /onToken must be a function, and is "x"/,
    );
  });

  it('refuses a round the same object sends after asking to close, which the session played first', async () => {
    const session = await newSession();
    await session.addParticipant('A', model, 'panelist');
    const closing = session.close();
    await expect(session.sendMessage('user', 'too late')).rejects.toThrow(
      /this session object asked to close the session: a round sent after close\(\) is not sent/,
    );
    const view = await closing;
    expect(view.closed).toBe(true);
    expect(await session.transcript()).toEqual([]);
  });
});
