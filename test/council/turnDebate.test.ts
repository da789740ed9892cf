import { councilContextSchema } from '../../common/council';
import { zodProblem } from '../../common/validation';
import { council, expert, requestsOf, roundOf, scriptedCouncil, speakers, userPrompt } from './support';
import { shownBlocks, useCouncilBench } from './bench';

describe("the seed's turn-by-turn adversarial debate (debateStyle: turns)", () => {
  const bench = useCouncilBench('council-turn-debate', (mock) =>
    scriptedCouncil(mock, (speaker, request) => ({
      content: `${speaker} speaks in turn ${/## Your turn \(round (\d+)\)/.exec(userPrompt(request))?.[1]}`,
      usage: { prompt_tokens: 10, completion_tokens: 5 },
    })),
  );

  it('runs initial position, counter-argument, rebuttal, final argument; each turn shown exactly the turns before it', async () => {
    const result = await bench.run(
      council('adversarial', [expert('a'), expert('b')], {
        enableMessaging: true,
        debateRounds: 2,
        debateStyle: 'turns',
      }),
    );

    expect(speakers(bench.mock)).toEqual(['Expert A', 'Expert B', 'Expert A', 'Expert B', 'Synthesizer']);
    const turns = [...requestsOf(bench.mock, 'Expert A'), ...requestsOf(bench.mock, 'Expert B')].sort(
      (x, y) => (roundOf(x) ?? 0) - (roundOf(y) ?? 0),
    );
    expect(turns.map((entry) => roundOf(entry))).toEqual([1, 2, 3, 4]);
    const prompts = turns.map(userPrompt);
    expect(prompts[0]).toContain('state your initial position');
    expect(prompts[1]).toContain('counter-argument');
    expect(prompts[2]).toContain('Rebut');
    expect(prompts[3]).toContain('final argument');
    // Each turn sees every earlier turn, in order, and nothing else: the opponent's latest one last.
    const said = ['Expert A speaks in turn 1', 'Expert B speaks in turn 2', 'Expert A speaks in turn 3'];
    prompts.forEach((prompt, index) => {
      expect(shownBlocks(prompt)).toEqual(
        said.slice(0, index).map((text) => `${text.split(' speaks')[0]}: ${text}`),
      );
    });

    expect(result.messages?.map((m) => `${m.sender}:${m.type}`)).toEqual([
      'a:response',
      'b:critique',
      'a:clarification',
      'b:response',
    ]);
    expect(result.rounds).toBe(4);
    // Every turn is the speaker's argument: its output is its latest one.
    expect(result.outputs.a?.content).toBe('Expert A speaks in turn 3');
    expect(result.outputs.b?.content).toBe('Expert B speaks in turn 4');
    expect(result.synthesis.status).toBe('done');
  });

  it('with three experts and one round, the first opens and each other counters in order', async () => {
    const result = await bench.run(
      council('adversarial', [expert('a'), expert('b'), expert('c')], {
        enableMessaging: true,
        debateRounds: 1,
        debateStyle: 'turns',
      }),
    );
    expect(speakers(bench.mock)).toEqual(['Expert A', 'Expert B', 'Expert C', 'Synthesizer']);
    expect(result.messages?.map((m) => `${m.sender}:${m.type}`)).toEqual([
      'a:response',
      'b:critique',
      'c:critique',
    ]);
  });

  it('refuses debateStyle outside adversarial mode and turns with convergence, saying what to change', () => {
    const problem = (extra: object, mode: 'sequential' | 'adversarial' = 'adversarial') => {
      const parsed = councilContextSchema.safeParse(council(mode, [expert('a'), expert('b')], extra));
      return parsed.success ? 'accepted' : zodProblem(parsed.error);
    };
    expect(problem({ debateStyle: 'turns' }, 'sequential')).toContain(
      'debateStyle applies to adversarial mode only (this council is "sequential")',
    );
    expect(problem({ debateStyle: 'turns', convergence: { threshold: 0.6 } })).toContain(
      'convergence works with debateStyle "phased" only',
    );
    expect(problem({ debateStyle: 'rounds' })).toContain('debateStyle');
    expect(problem({ debateStyle: 'phased' })).toBe('accepted');
  });
});
