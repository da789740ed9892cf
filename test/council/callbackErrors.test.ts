import { executeCouncilExperts } from '../../client/api/council';
import { attachCouncil } from '../../client/api/councilAttach';
import { CouncilUserError } from '../../common/userError';
import { answerAsParticipants } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';
import { council, expert } from './support';

jest.setTimeout(120_000);

describe("a caller's callback that throws", () => {
  const bench = useMockHarness('council-callback-errors', (mock) => answerAsParticipants(mock));

  it('ends the following with the council id to follow it again, and the council goes on', async () => {
    const councilId = `council-callback-${Date.now()}`;
    const thrown = new Error('status boom');
    const following = executeCouncilExperts(
      bench.harness.client,
      council('parallel', [expert('a'), expert('b')]),
      undefined,
      () => {
        throw thrown;
      },
      { councilId, taskQueue: bench.harness.taskQueue },
    );
    const error: unknown = await following.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CouncilUserError);
    expect((error as CouncilUserError).message).toBe(
      `onStatusUpdate threw while following council ${councilId}: status boom`,
    );
    expect((error as CouncilUserError).hint).toContain(`attachCouncil(client, "${councilId}")`);
    expect((error as CouncilUserError).cause).toBe(thrown);
    const result = await attachCouncil(bench.harness.client, councilId);
    expect(result.synthesis.status).toBe('done');
  });
});
