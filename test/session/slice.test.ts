import { MultiParticipantSession } from '../../client/api/session';
import { answerAsParticipants, chatRequests } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';

describe('end-to-end slice: one broadcast round on the real dev server', () => {
  const bench = useMockHarness('slice', (mock) => answerAsParticipants(mock));

  it('returns both participants answers with token usage', async () => {
    const session = await MultiParticipantSession.create(
      bench.harness.client,
      {
        systemPrompt: 'You are participating in an AI panel discussion.',
        maxTokens: 8192,
        strategy: 'broadcast',
      },
      { taskQueue: bench.harness.taskQueue },
    );
    await session.addParticipant('Expert-1', { provider: 'openai', model: 'gpt-4o-mini' }, 'panelist');
    await session.addParticipant('Expert-2', { provider: 'openai', model: 'gpt-4o' }, 'panelist');

    const responses = await session.sendMessage('user', 'What are the key challenges in AI alignment?');

    expect(responses.map((r) => r.participantName).sort()).toEqual(['Expert-1', 'Expert-2']);
    for (const response of responses) {
      expect(response.status).toBe('ok');
      expect(response.content).toMatch(new RegExp(`^${response.participantName}: answer \\d$`));
      expect(response.tokenUsage).toEqual({ inputTokens: 10, outputTokens: 5, totalTokens: 15 });
    }
    expect(chatRequests(bench.mock)).toHaveLength(2);
    const view = await session.close();
    expect(view.usage.totalTokens).toBe(30);
  });
});
