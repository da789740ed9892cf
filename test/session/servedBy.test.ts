import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { executeCouncilExperts } from '../../client/api/council';
import { MultiParticipantSession } from '../../client/api/session';
import { FailureType } from '../../common/failures';
import { council, expert } from '../council/support';
import { answerAsParticipants, mockClients, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;

describe('each model call records the identity of the worker that made it', () => {
  const servingIdentity = `served-by-test-${process.pid}`;
  const keylessIdentity = `keyless-test-${process.pid}`;
  let mock: LLMock;
  let serving: TemporalTestHarness;
  let keyless: TemporalTestHarness;

  beforeAll(async () => {
    mock = await startMockLlm();
    answerAsParticipants(mock);
    serving = await startHarness('served-by', createLlmActivities(mockClients(mock)), {
      identity: servingIdentity,
    });
    // A worker whose environment has no provider key: the one `council server --worker` can be.
    keyless = await startHarness('served-by-keyless', createLlmActivities({}, { env: {} }), {
      identity: keylessIdentity,
    });
  });
  afterAll(async () => {
    await serving?.close();
    await keyless?.close();
    await mock?.stop();
  });

  it('a session response and its transcript entry name the worker', async () => {
    const session = await MultiParticipantSession.create(
      serving.client,
      { strategy: 'broadcast' },
      { taskQueue: serving.taskQueue },
    );
    await session.addParticipant('Agent-1', model, 'panelist');
    const responses = await session.sendMessage('user', 'Which worker are you on?');
    expect(responses).toEqual([
      expect.objectContaining({ participantName: 'Agent-1', status: 'ok', servedBy: servingIdentity }),
    ]);
    const transcript = await session.transcript();
    expect(transcript.find((entry) => entry.from === 'Agent-1')).toMatchObject({ servedBy: servingIdentity });
    await session.close();
  });

  it("a council's experts and synthesis name the worker", async () => {
    const result = await executeCouncilExperts(
      serving.client,
      council('parallel', [expert('a'), expert('b')]),
      undefined,
      undefined,
      { taskQueue: serving.taskQueue },
    );
    expect(Object.values(result.outputs).map((output) => output.servedBy)).toEqual([
      servingIdentity,
      servingIdentity,
    ]);
    expect(result.synthesis).toMatchObject({ status: 'done', servedBy: servingIdentity });
  });

  it('a missing key fails in one message naming the worker that took the call and the fix', async () => {
    const session = await MultiParticipantSession.create(
      keyless.client,
      { strategy: 'broadcast' },
      { taskQueue: keyless.taskQueue },
    );
    await session.addParticipant('Agent-1', model, 'panelist');
    const responses = await session.sendMessage('user', 'Anyone there?');
    expect(responses[0]).toMatchObject({
      status: 'failed',
      error: {
        type: FailureType.ProviderKeyMissing,
        message:
          `openai: OPENAI_API_KEY is not set on worker "${keylessIdentity}", which took this call; set it ` +
          `in that worker's environment and restart it, or serve the run from a worker that has it`,
      },
    });
    await session.close();
  });
});
