import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { executeCouncilExperts } from '../../client/api/council';
import { attachCouncil } from '../../client/api/councilAttach';
import { CouncilUserError } from '../../common/userError';
import { answerAsParticipants, mockClients, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { council, expert } from './support';

jest.setTimeout(120_000);

describe("a caller's callback that throws", () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;
  beforeAll(async () => {
    mock = await startMockLlm();
    answerAsParticipants(mock);
    harness = await startHarness('council-callback-errors', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });

  it('ends the following with the council id to follow it again, and the council goes on', async () => {
    const councilId = `council-callback-${Date.now()}`;
    const thrown = new Error('status boom');
    const following = executeCouncilExperts(
      harness.client,
      council('parallel', [expert('a'), expert('b')]),
      undefined,
      () => {
        throw thrown;
      },
      { councilId, taskQueue: harness.taskQueue },
    );
    const error: unknown = await following.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CouncilUserError);
    expect((error as CouncilUserError).message).toBe(
      `onStatusUpdate threw while following council ${councilId}: status boom`,
    );
    expect((error as CouncilUserError).hint).toContain(`attachCouncil(client, "${councilId}")`);
    expect((error as CouncilUserError).cause).toBe(thrown);
    const result = await attachCouncil(harness.client, councilId);
    expect(result.synthesis.status).toBe('done');
  });
});
