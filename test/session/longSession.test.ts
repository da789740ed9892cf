import { encode } from 'gpt-tokenizer';
import { LIMITS } from '../../common/defaults';
import { MultiParticipantSession } from '../../client/api/session';
import { answerAsParticipants, chatRequests } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;

describe('long sessions: history budget and continue-as-new', () => {
  const bench = useMockHarness('long', (mock) => answerAsParticipants(mock));

  it('drops the oldest turns when a history would exceed the token budget, keeping the system prompt', async () => {
    const budget = 200;
    const session = await MultiParticipantSession.create(
      bench.harness.client,
      { systemPrompt: 'SYSTEM-PROMPT-MARKER keep me.', maxTokens: budget, strategy: 'broadcast' },
      { taskQueue: bench.harness.taskQueue },
    );
    await session.addParticipant('Solo', model, 'panelist');
    const filler = 'lorem ipsum dolor sit amet '.repeat(6);
    for (let round = 1; round <= 12; round += 1) await session.sendMessage('user', `Turn-${round} ${filler}`);

    const requests = chatRequests(bench.mock);
    const last = requests.at(-1)?.body as { messages: Array<{ role: string; content: string }> };
    const tokens = last.messages.reduce((sum, m) => sum + encode(m.content).length, 0);
    expect(tokens).toBeLessThanOrEqual(budget);
    expect(last.messages[0]?.content).toContain('SYSTEM-PROMPT-MARKER');
    expect(JSON.stringify(last.messages)).not.toContain('Turn-1 ');
    expect(last.messages.at(-1)?.content).toContain('Turn-12');
    // The workflow drops what the activity dropped, so the stored history stays bounded too.
    const solo = await session.getParticipant('Solo');
    expect(solo?.history.length).toBeLessThan(2 * 12);
    expect(solo?.history.length).toBe(last.messages.length - 2 + 2);
  });

  it('continues-as-new when the server suggests it and keeps participants, histories, usage and transcript', async () => {
    const session = await MultiParticipantSession.create(
      bench.harness.client,
      { systemPrompt: 'Long session', strategy: 'roundRobin', maxTokens: 100_000 },
      { taskQueue: bench.harness.taskQueue },
    );
    await session.addParticipant('A', model, 'panelist');
    await session.addParticipant('B', model, 'panelist');
    const sequentialRounds = 50;
    for (let round = 0; round < sequentialRounds; round += 1)
      await session.sendMessage('user', `message ${round}`);
    // A burst of concurrent messages must not lose any across a continue-as-new.
    const burst = await Promise.all(
      Array.from({ length: 10 }, (_, i) => session.sendMessage('user', `burst ${i}`)),
    );
    expect(
      burst.every((responses) => responses.length === 2 && responses.every((r) => r.status === 'ok')),
    ).toBe(true);

    const rounds = sequentialRounds + burst.length;
    const view = await session.view();
    expect(view.runs).toBeGreaterThan(1);
    expect(view.round).toBe(rounds);
    expect(view.participants.map((p) => p.spec.name)).toEqual(['A', 'B']);
    expect(view.usage.totalTokens).toBe(rounds * 2 * 15);
    expect(view.participants.map((p) => p.historyLength)).toEqual([rounds * 2, rounds * 2]);
    const transcript = await session.transcript();
    expect(transcript).toHaveLength(rounds * 3);
    expect(transcript.filter((e) => e.from === 'user').map((e) => e.content)).toEqual(
      expect.arrayContaining(['message 0', 'message 49', 'burst 0', 'burst 9']),
    );
    expect(chatRequests(bench.mock)).toHaveLength(rounds * 2);
  });

  it('keeps the carried transcript within its character budget, counting what it dropped', async () => {
    const session = await MultiParticipantSession.create(
      bench.harness.client,
      { strategy: 'broadcast', maxTokens: 100_000 },
      { taskQueue: bench.harness.taskQueue },
    );
    await session.addParticipant('Solo', model, 'panelist');
    const big = 'lorem ipsum dolor '.repeat(LIMITS.maxTranscriptChars / 4 / 18);
    for (let round = 1; round <= 6; round += 1) await session.sendMessage('user', `${round} ${big}`);
    const view = await session.view();
    const transcript = await session.transcript();
    expect(view.transcriptLength).toBe(12);
    expect(view.transcriptDropped).toBeGreaterThan(0);
    expect(transcript).toHaveLength(12 - view.transcriptDropped);
    expect(JSON.stringify(transcript).length).toBeLessThanOrEqual(LIMITS.maxTranscriptChars);
    expect(transcript.at(-1)?.from).toBe('Solo');
    expect(await session.transcript(11)).toEqual([transcript.at(-1)]);
  });
});
