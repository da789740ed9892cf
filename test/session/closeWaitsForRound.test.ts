import type { LLMock } from '@copilotkit/aimock';
import { WorkflowUpdateStage } from '@temporalio/client';
import { createLlmActivities } from '../../activities';
import { MultiParticipantSession } from '../../client/api/session';
import { SESSION_SUMMARY_MEMO_KEY, type SessionSummary } from '../../common/session';
import { closeSessionUpdate, sendMessageUpdate } from '../../common/sessionApi';
import { answerAsParticipants, mockClients, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { waitFor } from '../helpers/wait';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;

// A fresh session's rounds wait for the worker's provider policy check before they take their turn.
// A close that arrives meanwhile waits for a round the session has accepted, as it does for one
// that has its turn: the round is played, and counted in the session's totals, before the close.
describe('closing a fresh session whose first round waits for the policy check', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;
  let releasePolicy = () => undefined as void;
  const policyHeld = new Promise<void>((resolve) => (releasePolicy = resolve));
  let policyChecks = 0;

  beforeAll(async () => {
    mock = await startMockLlm();
    answerAsParticipants(mock);
    const activities = createLlmActivities(mockClients(mock));
    harness = await startHarness('close-waits', {
      ...activities,
      async checkProviderPolicy(subjects) {
        policyChecks += 1;
        await policyHeld;
        return activities.checkProviderPolicy(subjects);
      },
    });
  });
  afterAll(async () => {
    releasePolicy();
    await harness?.close();
    await mock?.stop();
  });

  it('plays the accepted round before it closes', async () => {
    const { client, taskQueue } = harness;
    const session = await MultiParticipantSession.create(
      client,
      { strategy: 'broadcast', participants: [{ name: 'A', role: 'panelist', model }] },
      { taskQueue },
    );
    await waitFor('the policy check to start', () => policyChecks >= 1);
    const handle = client.workflow.getHandle(session.sessionId);
    const round = await handle.startUpdate(sendMessageUpdate, {
      args: [{ content: 'One question' }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    const closing = await handle.startUpdate(closeSessionUpdate, {
      args: [],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    releasePolicy();
    const [played] = await Promise.all([round.result(), closing.result()]);
    expect(played.responses.map((response) => response.status)).toEqual(['ok']);
    await handle.result();
    // Written as the session closes: a round played after the close is missing from it.
    const summary = (await handle.describe()).memo?.[SESSION_SUMMARY_MEMO_KEY] as SessionSummary;
    expect(summary.rounds).toBe(1);
  });
});
