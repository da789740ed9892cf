import { SessionIdTakenError, startOneRoundSession } from '../../client/api/oneRoundSession';
import { startCouncil } from '../../client/api/council';
import { MultiParticipantSession } from '../../client/api/session';
import { answerAsParticipants } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const config = {
  strategy: 'broadcast' as const,
  participants: [{ name: 'Agent-1', role: 'panelist' as const, model }],
};

describe('startOneRoundSession: the library call behind `council run` of a session', () => {
  const bench = useMockHarness('one-round', (mock) => answerAsParticipants(mock));

  it('asks its question in the same call that starts it, then closes itself; its id is never reused', async () => {
    const sessionId = `one-round-${process.pid}`;
    const options = { sessionId, taskQueue: bench.harness.taskQueue, memo: { note: 'kept' } };
    const { handle, round } = await startOneRoundSession(
      bench.harness.client,
      config,
      'One question?',
      options,
    );
    const result = await round.result();
    expect(result.responses).toEqual([expect.objectContaining({ participantName: 'Agent-1', status: 'ok' })]);
    expect(await handle.result()).toMatchObject({ closed: true, round: 1 });
    expect((await handle.describe()).memo).toMatchObject({ note: 'kept' });

    const again = startOneRoundSession(bench.harness.client, config, 'Another?', options);
    await expect(again).rejects.toBeInstanceOf(SessionIdTakenError);
    await expect(again).rejects.toMatchObject({ name: 'SessionIdTakenError' });
    await expect(again).rejects.toThrow(`a session or council with id "${sessionId}" already exists`);
    // A session started the other way said the same in a plain CouncilUserError: only its words told.
    const created = MultiParticipantSession.create(bench.harness.client, config, options);
    await expect(created).rejects.toBeInstanceOf(SessionIdTakenError);
  });

  // Its sessionId has no generated default: "or leave sessionId out" sent callers to the mistake.
  it('refuses a call without a sessionId, saying that it is required', async () => {
    const untyped = { taskQueue: bench.harness.taskQueue } as unknown as { sessionId: string };
    const refused = startOneRoundSession(bench.harness.client, config, 'Q?', untyped);
    await expect(refused).rejects.toThrow('sessionId is missing');
    await expect(refused).rejects.toHaveProperty(
      'hint',
      'pass a string of 1 to 1000 bytes: it is required here',
    );
  });

  it('refuses an empty question before anything starts', async () => {
    const sessionId = `one-round-empty-${process.pid}`;
    await expect(
      startOneRoundSession(bench.harness.client, config, '', {
        sessionId,
        taskQueue: bench.harness.taskQueue,
      }),
    ).rejects.toThrow(/invalid question/);
    await expect(bench.harness.client.workflow.getHandle(sessionId).describe()).rejects.toThrow();
  });

  it('refuses a round the strategy could not play before anything starts: no session is left waiting', async () => {
    const unplayable = {
      'roundRobin needs at least one participant that answers': { strategy: 'roundRobin' as const },
      'moderatorLed needs a participant with role "moderator"': {
        strategy: 'moderatorLed' as const,
        participants: [{ name: 'A', role: 'panelist' as const, model }],
      },
    };
    for (const [problem, unplayableConfig] of Object.entries(unplayable)) {
      const sessionId = `one-round-unplayable-${unplayableConfig.strategy}-${process.pid}`;
      const options = { sessionId, taskQueue: bench.harness.taskQueue };
      await expect(
        startOneRoundSession(bench.harness.client, unplayableConfig, 'Q?', options),
      ).rejects.toThrow(`invalid session config: ${problem}`);
      await expect(bench.harness.client.workflow.getHandle(sessionId).describe()).rejects.toThrow(
        'workflow not found',
      );
    }
  });

  it.each([
    ['an empty', '', 'sessionId is empty'],
    ['a 1,001-byte', 'x'.repeat(1001), 'sessionId is 1001 bytes long: Temporal takes at most 1000'],
    ['a number as', 42, 'sessionId must be a string, not number'],
    // Listed, it showed as "a b" with its NUL unseen, and no command could name it.
    [
      'a control character in a',
      'a b\u0000',
      'sessionId "a b" holds a control character (U+0000), which no list shows nor command line passes',
    ],
    ['a line feed in a', 'abc\n', 'sessionId "abc\n" holds a control character (U+000A)'],
  ])(
    'refuses %s session id before anything starts, as a session or a council start does',
    async (_, id, message) => {
      const { client, taskQueue } = bench.harness;
      const options = { sessionId: id as string, taskQueue };
      await expect(startOneRoundSession(client, config, 'Q?', options)).rejects.toThrow(message);
      await expect(MultiParticipantSession.create(client, config, options)).rejects.toThrow(message);
      const council = {
        task: 'T',
        mode: 'parallel' as const,
        activeExperts: [{ id: 'a', name: 'A', model }],
        synthesisConfig: { model },
      };
      await expect(startCouncil(client, council, { councilId: id as string, taskQueue })).rejects.toThrow(
        message.replace('sessionId', 'councilId'),
      );
    },
  );
});
