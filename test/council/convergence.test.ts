import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { executeCouncilExperts } from '../../client/api/council';
import { councilContextSchema } from '../../common/council';
import { zodProblem } from '../../common/validation';
import { mockClients, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { council, expert, roundOf, scriptedCouncil, speakers, userPrompt, type Script } from './support';

/** Each expert's scripted positions, one per debate round; a string that is not a position is sent as is. */
let positions: Record<string, string[]> = {};

/** A position turn (the prompt asks for a STANCE line) answers the scripted stance of its debate round. */
const stances: Script = (speaker, request) => {
  const round = roundOf({ body: request } as Parameters<typeof roundOf>[0]) ?? 0;
  const said = positions[speaker]?.[(round - 1) / 2];
  if (round % 2 === 0 || said === undefined) return undefined;
  const stance = said.startsWith('!') ? said.slice(1) : `STANCE: {"position": "${said}", "confidence": 0.8}`;
  return { content: `${speaker} argues.\n${stance}`, usage: { prompt_tokens: 10, completion_tokens: 5 } };
};

describe('adversarial debates that stop when they converge, on the real dev server', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;

  beforeAll(async () => {
    mock = await startMockLlm();
    scriptedCouncil(mock, stances);
    harness = await startHarness('council-convergence', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });
  beforeEach(() => mock.clearRequests());

  const experts = [expert('a'), expert('b'), expert('c')];
  const run = (context: Parameters<typeof executeCouncilExperts>[1]) =>
    executeCouncilExperts(harness.client, context, undefined, undefined, { taskQueue: harness.taskQueue });

  it('stops at consensus in debate round 2 of 3: no expert is called after those positions', async () => {
    positions = {
      'Expert A': ['Yes', 'Yes'],
      'Expert B': ['no', '  YES '],
      'Expert C': ['!STANCE: not json', 'no'],
    };
    const result = await run(
      council('adversarial', experts, { debateRounds: 3, convergence: { threshold: 0.6 } }),
    );

    const calls = speakers(mock);
    // Round 1: positions and critiques; round 2: positions only; then the synthesis.
    expect(calls).toHaveLength(10);
    expect(calls.slice(9)).toEqual(['Synthesizer']);
    expect(
      mock
        .getRequests()
        .slice(0, 9)
        .every((entry) => (roundOf(entry) ?? 9) <= 3),
    ).toBe(true);
    expect(userPrompt(mock.getRequests()[0]!)).toContain('STANCE: {"position"');
    expect(result.rounds).toBe(3);
    expect(result.convergence).toEqual({
      stopReason: 'consensus',
      debateRounds: 2,
      roundsSkipped: 1,
      agreement: 0.667,
      position: 'yes',
      // 9 calls of 15 tokens over 2 rounds, times 1 round skipped.
      tokensSaved: 68,
      stances: {
        a: { position: 'yes', confidence: 0.8 },
        b: { position: 'yes', confidence: 0.8 },
        c: { position: 'no', confidence: 0.8 },
      },
    });
    expect(result.synthesis.status).toBe('done');
  });

  it('stops when the set of positions repeats (oscillation)', async () => {
    positions = { 'Expert A': ['x', 'y', 'x', 'y'], 'Expert B': ['y', 'x', 'y', 'x'] };
    const result = await run(
      council('adversarial', experts.slice(0, 2), { debateRounds: 4, convergence: { threshold: 1 } }),
    );
    // Rounds 1 and 2 in full, round 3's positions, the synthesis.
    expect(speakers(mock)).toHaveLength(2 * 2 * 2 + 2 + 1);
    expect(result.convergence).toMatchObject({
      stopReason: 'oscillation',
      debateRounds: 3,
      roundsSkipped: 1,
    });
    expect(result.convergence?.agreement).toBe(0.5);
  });

  it('without convergence every round runs, no stance is asked for and the result has no convergence', async () => {
    positions = { 'Expert A': ['yes', 'yes'], 'Expert B': ['yes', 'yes'] };
    const result = await run(council('adversarial', experts.slice(0, 2), { debateRounds: 2 }));
    expect(speakers(mock)).toHaveLength(2 * 2 * 2 + 1);
    expect(
      mock.getRequests().some((entry) => userPrompt(entry).includes('End your answer with one line')),
    ).toBe(false);
    expect(result.convergence).toBeUndefined();
    expect(result.rounds).toBe(4);
  });

  it('runs to the round cap when the experts never agree, and says so', async () => {
    positions = { 'Expert A': ['a1', 'a2'], 'Expert B': ['b1', 'b2'] };
    const result = await run(
      council('adversarial', experts.slice(0, 2), { debateRounds: 2, convergence: {} }),
    );
    expect(speakers(mock)).toHaveLength(2 * 2 * 2 + 1);
    expect(result.convergence).toMatchObject({ stopReason: 'round-cap', debateRounds: 2, roundsSkipped: 0 });
    expect(result.convergence?.tokensSaved).toBe(0);
  });

  it('vote first: the openings are taken at once, none sees another, and agreement ends it before any debate', async () => {
    positions = { 'Expert A': ['Ship it'], 'Expert B': ['ship it'], 'Expert C': ['ship  it'] };
    const result = await run(
      council('adversarial', experts, { debateRounds: 3, convergence: { threshold: 1, voteFirst: true } }),
    );
    const openings = mock.getRequests().slice(0, 3);
    expect(speakers(mock)).toHaveLength(4);
    expect(speakers(mock).at(-1)).toBe('Synthesizer');
    for (const entry of openings) expect(userPrompt(entry)).not.toMatch(/Expert [ABC] argues/);
    expect(result.convergence).toMatchObject({ stopReason: 'consensus', debateRounds: 1, roundsSkipped: 2 });
  });

  it('refuses a threshold out of bounds and convergence outside adversarial mode', () => {
    const low = councilContextSchema.safeParse(
      council('adversarial', experts, { convergence: { threshold: 0.3 } }),
    );
    expect(low.success ? '' : zodProblem(low.error)).toContain('convergence.threshold must be at least 0.5');
    const parallel = councilContextSchema.safeParse(council('parallel', experts, { convergence: {} }));
    expect(parallel.success ? '' : zodProblem(parallel.error)).toContain(
      'convergence applies to adversarial mode only',
    );
  });
});
