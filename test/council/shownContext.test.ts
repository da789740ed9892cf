import type { JournalEntry, LLMock } from '@copilotkit/aimock';
import { type ExecutionResult } from '../../client/api/councilTypes';
import { council, expert, requestsOf, roundOf, userPrompt } from './support';
import { shownBlocks, useScriptedCouncil } from './bench';

/** Every turn an expert's context records equals the request the mock received for that turn. */
function expectContextsMatchJournal(mock: LLMock, result: ExecutionResult): void {
  for (const [id, output] of Object.entries(result.outputs)) {
    const requests: JournalEntry[] = requestsOf(mock, output.expertName);
    const turns = result.conversationContext?.[id]?.turns ?? [];
    expect({ id, turns: turns.length }).toEqual({ id, turns: requests.length });
    requests.forEach((request, index) => {
      const turn = turns[index];
      const prompt = userPrompt(request);
      expect(turn?.round).toBe(roundOf(request));
      expect(turn?.messages.map((m) => `${m.senderName}: ${m.content}`)).toEqual(shownBlocks(prompt));
      if (turn?.conversationHistory) expect(prompt).toContain(turn.conversationHistory);
      else expect(prompt).not.toContain('## Previous Expert Responses');
    });
  }
}

describe('conversationContext[expert]: what each expert was shown, per round', () => {
  const bench = useScriptedCouncil('council-shown-context');

  it('adversarial: each round records what the mock was sent; previousResponses holds positions, not critiques', async () => {
    const result = await bench.run(
      council('adversarial', [expert('a'), expert('b')], { enableMessaging: true, debateRounds: 2 }),
    );
    expectContextsMatchJournal(bench.mock, result);

    const a = result.conversationContext?.a;
    expect(a?.turns.map((turn) => [turn.round, turn.phase, turn.messages.length])).toEqual([
      [1, 'answer', 0],
      [2, 'critique', 2],
      [3, 'answer', 4],
      [4, 'critique', 6],
    ]);
    // The top-level fields are the expert's latest turn: round 4, shown the six messages before it.
    expect(a?.round).toBe(4);
    expect(a?.messages.map((m) => `${m.sender}:${m.type}`)).toEqual([
      'a:response',
      'b:response',
      'a:critique',
      'b:critique',
      'a:clarification',
      'b:clarification',
    ]);
    // The rebuttals are the positions; the round-4 critiques came after A's last turn.
    const rebuttals = result.messages?.filter((m) => m.type === 'clarification') ?? [];
    expect(a?.previousResponses).toEqual({
      a: rebuttals.find((m) => m.sender === 'a')?.content,
      b: rebuttals.find((m) => m.sender === 'b')?.content,
    });
    expect(a?.turns[3]?.answerId).toBe(result.messages?.at(-2)?.id);
  });

  it('parallel: every expert was shown nothing; sequential: each was shown the ones before it', async () => {
    const parallel = await bench.run(
      council('parallel', [expert('a'), expert('b'), expert('c')], { enableMessaging: true }),
    );
    expectContextsMatchJournal(bench.mock, parallel);
    expect(parallel.conversationContext?.c?.messages).toEqual([]);
    expect(parallel.conversationContext?.c?.previousResponses).toEqual({});

    bench.mock.clearRequests();
    const sequential = await bench.run(
      council('sequential', [expert('a'), expert('b'), expert('c')], { enableMessaging: true }),
    );
    expectContextsMatchJournal(bench.mock, sequential);
    expect(sequential.conversationContext?.b?.previousResponses).toEqual({
      a: sequential.outputs.a?.content,
    });
    expect(sequential.conversationContext?.c?.turns[0]?.messages).toHaveLength(2);
  });
});
