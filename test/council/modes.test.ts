import { CouncilKindKey, CouncilStatusKey, CouncilStrategyKey } from '../../common/searchAttributes';
import { council, expert, jsonAnswer, requestsOf, roundOf, speakers, userPrompt } from './support';
import { useScriptedCouncil } from './bench';

describe('council modes on the real dev server', () => {
  const bench = useScriptedCouncil('council-modes', 250);
  beforeEach(() => {
    bench.stats.maxInFlight = 0;
  });

  it('parallel: every expert answers at once, sees no other answer, and all answers reach the synthesis', async () => {
    const result = await bench.run(
      council('parallel', [expert('a'), expert('b'), expert('c')], { enableMessaging: true }),
    );

    expect(speakers(bench.mock).slice(0, 3).sort()).toEqual(['Expert A', 'Expert B', 'Expert C']);
    expect(speakers(bench.mock)[3]).toBe('Synthesizer');
    expect(bench.stats.maxInFlight).toBe(3);
    for (const name of ['Expert A', 'Expert B', 'Expert C']) {
      const [request] = requestsOf(bench.mock, name);
      expect(request && userPrompt(request)).not.toContain('## Previous Expert Responses');
      expect(request && roundOf(request)).toBe(1);
    }
    const [synthesis] = requestsOf(bench.mock, 'Synthesizer');
    for (const output of Object.values(result.outputs)) {
      expect(synthesis && userPrompt(synthesis)).toContain(
        `### "${output.expertName}"\n\`\`\`text\n${output.content}\n\`\`\``,
      );
    }
    // Captured for analysis in the messages; each expert's context says it was shown none of them.
    expect(result.messages).toHaveLength(3);
    expect(result.conversationContext?.a?.messages).toEqual([]);
    expect(result.synthesis.status).toBe('done');
    expect(result.tokenUsage.total.totalTokens).toBe(4 * 15);
  });

  it('sequential: experts answer in order, each seeing exactly the ones before it, rounds increasing', async () => {
    const councilId = `council-sequential-${Date.now()}`;
    const result = await bench.run(
      council('sequential', [expert('a'), expert('b'), expert('c')], { enableMessaging: true }),
      councilId,
    );

    expect(speakers(bench.mock)).toEqual(['Expert A', 'Expert B', 'Expert C', 'Synthesizer']);
    expect(bench.stats.maxInFlight).toBe(1);
    const [a, b, c] = ['Expert A', 'Expert B', 'Expert C'].map((name) => requestsOf(bench.mock, name)[0]);
    const answerA = result.outputs.a?.content ?? 'missing';
    const answerB = result.outputs.b?.content ?? 'missing';
    expect(a && userPrompt(a)).not.toContain('## Previous Expert Responses');
    expect(b && userPrompt(b)).toContain(`### "Expert A"\n\`\`\`text\n${answerA}\n\`\`\`\n\n## Your turn`);
    expect(c && userPrompt(c)).toContain(
      `### "Expert A"\n\`\`\`text\n${answerA}\n\`\`\`\n\n### "Expert B"\n\`\`\`text\n${answerB}\n\`\`\``,
    );
    expect([a, b, c].map((entry) => entry && roundOf(entry))).toEqual([1, 2, 3]);
    expect(result.conversationContext?.c?.round).toBe(3);
    // What B was shown at its turn: A's answer only.
    expect(result.conversationContext?.b?.previousResponses).toEqual({ a: answerA });
    expect(result.messages?.map((m) => m.senderName)).toEqual(['Expert A', 'Expert B', 'Expert C']);
    expect(result.messages?.[0]?.timestamp).toBeInstanceOf(Date);

    const { typedSearchAttributes } = await bench.harness.client.workflow.getHandle(councilId).describe();
    expect(typedSearchAttributes.get(CouncilKindKey)).toBe('council');
    expect(typedSearchAttributes.get(CouncilStrategyKey)).toBe('sequential');
    expect(typedSearchAttributes.get(CouncilStatusKey)).toBe('completed');
  });

  it('adversarial: positions and critiques alternate per debate round, with the full debate history', async () => {
    // B sends structured messages: it agrees in its last critique, which the synthesis must list.
    bench.script = (speaker, request) => {
      if (speaker !== 'Expert B') return undefined;
      const round = /## Your turn \(round (\d+)\)/.exec(userPrompt(request))?.[1];
      if (round === '4') return jsonAnswer({ type: 'agreement', content: 'B agrees with A on pilots.' });
      return jsonAnswer({ content: `B speaks in round ${round}` });
    };
    const result = await bench.run(
      council('adversarial', [expert('a'), expert('b', { canSendMessages: true })], {
        enableMessaging: true,
        debateRounds: 2,
      }),
    );

    const experts = speakers(bench.mock).slice(0, -1);
    expect(experts).toEqual(Array.from({ length: 4 }, () => ['Expert A', 'Expert B']).flat());
    const turns = requestsOf(bench.mock, 'Expert A').map(
      (entry) => [roundOf(entry), userPrompt(entry)] as const,
    );
    expect(turns.map(([round]) => round)).toEqual([1, 2, 3, 4]);
    expect(turns[0]?.[1]).toContain('State your position');
    expect(turns[1]?.[1]).toContain('Critique the other experts');
    expect(turns[2]?.[1]).toContain('Rebut the critiques');
    expect(turns[3]?.[1]).toContain('Critique the other experts');
    // A's rebuttal sees the whole debate so far, B's critique tagged as such.
    expect(turns[2]?.[1]).toContain('### "Expert B" (critique)\n```text\nB speaks in round 2\n```');
    expect(turns[2]?.[1]).toContain('### "Expert B"\n```text\nB speaks in round 1\n```');

    expect(result.messages?.map((m) => `${m.sender}:${m.type}`)).toEqual([
      'a:response',
      'b:response',
      'a:critique',
      'b:critique',
      'a:clarification',
      'b:clarification',
      'a:critique',
      'b:agreement',
    ]);
    const [synthesis] = requestsOf(bench.mock, 'Synthesizer');
    const text = synthesis ? userPrompt(synthesis) : '';
    expect(text).toContain('## Critical Analysis\n#### "Expert A"\n```text\nExpert A: answer');
    expect(text).toContain('#### "Expert B"\n```text\nB speaks in round 2');
    expect(text).toContain('## Consensus Points\n#### "Expert B"\n```text\nB agrees with A on pilots.\n```');
    // Outputs are the latest positions (the rebuttals), not the critiques.
    expect(result.outputs.b?.content).toBe('B speaks in round 3');
    expect(result.rounds).toBe(4);
  });
});
