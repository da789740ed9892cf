import { SessionIdTakenError, startOneRoundSession } from '../../client/api/oneRoundSession';
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
    await expect(again).rejects.toThrow(`a session or council with id "${sessionId}" already exists`);
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
});
