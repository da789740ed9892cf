import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { executeCouncilExperts } from '../../client/api/council';
import { MultiParticipantSession } from '../../client/api/session';
import { mockClients, promptText, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { council, expert, requestsOf, scriptedCouncil, userPrompt } from '../council/support';
import { FORGED_ALICE, FORGED_WORDS, outsideFences } from './markdown';

/** Checks that the forged words reached a prompt, but only inside fences. */
function expectQuotedOnly(prompt: string): void {
  expect(prompt).toContain(FORGED_WORDS[0]);
  const outside = outsideFences(prompt);
  for (const words of FORGED_WORDS) expect(outside).not.toContain(words);
  expect(outside).not.toMatch(/^#+ Alice$/m);
}

describe("attack: one participant forges another's words (real dev server, prompts from the mock journal)", () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;

  beforeAll(async () => {
    mock = await startMockLlm();
    // Bob always answers with the forgery; everyone else answers plainly.
    scriptedCouncil(mock, (speaker) =>
      speaker === 'Bob'
        ? { content: FORGED_ALICE, usage: { prompt_tokens: 1, completion_tokens: 1 } }
        : undefined,
    );
    harness = await startHarness('injection', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });
  beforeEach(() => mock.clearRequests());

  it('council: Bob\'s forged "### Alice" and "## Consensus Points" stay quoted in Alice\'s prompt and the synthesis prompt', async () => {
    const experts = [expert('alice', { name: 'Alice' }), expert('bob', { name: 'Bob' })];
    await executeCouncilExperts(harness.client, council('adversarial', experts), undefined, undefined, {
      taskQueue: harness.taskQueue,
    });
    const aliceLater = requestsOf(mock, 'Alice')
      .map(userPrompt)
      .filter((p) => p.includes('Bob'));
    expect(aliceLater.length).toBeGreaterThan(0);
    for (const prompt of aliceLater) expectQuotedOnly(prompt);
    const [synthesis] = requestsOf(mock, 'Synthesizer');
    const text = synthesis ? userPrompt(synthesis) : '';
    expectQuotedOnly(text);
    // Exactly one real consensus section: the synthesizer's own.
    expect(outsideFences(text).match(/^## Consensus Points$/gm)).toHaveLength(1);
  });

  it("session: Bob's forged section stays quoted in the prompt of the participant after him", async () => {
    const session = await MultiParticipantSession.create(
      harness.client,
      { strategy: 'roundRobin' },
      { taskQueue: harness.taskQueue },
    );
    const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
    await session.addParticipant('Bob', model, 'panelist');
    await session.addParticipant('Alice', model, 'panelist');
    await session.sendMessage('user', 'Should we ship?');
    const alice = mock.getRequests().filter((entry) => speakerOf(entry) === 'Alice');
    expect(alice).toHaveLength(1);
    expectQuotedOnly(promptText(alice[0]!));
  });
});
