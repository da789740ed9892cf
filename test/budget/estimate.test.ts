import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { estimateCouncil } from '../../client/cli/councilEstimate';
import { PROMPT_TOKEN_BOUND } from '../../client/cli/estimateRow';
import { estimateSession } from '../../client/cli/estimate';
import { executeCouncilExperts } from '../../client/api/council';
import { MultiParticipantSession } from '../../client/api/session';
import { councilContextSchema } from '../../common/council';
import { sessionConfigSchema } from '../../common/session';
import { turnShares } from '../../workflows/council/turnShares';
import type { CouncilExpert } from '../../client/api/councilTypes';
import { chatRequests, mockClients, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { pricedMini } from '../helpers/pricedModels';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { cliEnv, councilConfig, runCli, stopStartedClis, writeConfig } from '../cli/cli';

// The CLI case spawns the CLI: minutes on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

/** Output only is billed ($1000/MTok): a 1000-token call's worst case is $1, whatever its prompt. */
const bounded = { model: pricedMini, maxOutputTokens: 1000, retry: { maximumAttempts: 1 } };
const expertsOf = (...ids: string[]): CouncilExpert[] =>
  ids.map((id) => ({ id, name: `Expert ${id}`, ...bounded }));
const synthesisConfig = { name: 'Synthesizer', ...bounded };
/** A phased debate of two experts over two rounds: a position and a critique each, per round. */
const debate = {
  mode: 'adversarial' as const,
  debateRounds: 2,
  activeExperts: expertsOf('a', 'b'),
  synthesisConfig,
};

/** A turn's share of the debate's prompts: its bound in the estimate. */
const debateShare = () => turnShares(councilContextSchema.parse({ ...debate, task: 'estimate' })).promptBytes;

describe('council estimate -c FILE: a bound on what a council or a session round can spend', () => {
  it("counts every turn, review, backup and the synthesis: a turn at its share of the run's prompts, every other call at the prompt bound, every attempt", () => {
    const estimate = estimateCouncil({ kind: 'council', context: debate });
    expect(estimate.rows.map((row) => [row.name, row.calls])).toEqual([
      ['Expert a', 4],
      ['Expert b', 4],
      ['Synthesizer', 1],
    ]);
    expect(estimate.scope).toBe('council');
    // Each of the 8 turns at its share of the run's prompts; the synthesis at the request bound.
    const share = debateShare();
    expect(share).toBeLessThan(PROMPT_TOKEN_BOUND);
    expect(estimate.total.tokens).toBe(8 * (share + 1000) + (PROMPT_TOKEN_BOUND + 1000));
    expect(estimate.total.usd).toBeCloseTo(9, 9);

    // Peer review: a ranking and its one retry; a hedge: a backup call for each turn, on its model.
    const backup = { name: 'Spare', model: pricedMini, maxOutputTokens: 500, retry: { maximumAttempts: 2 } };
    const reviewed = estimateCouncil({
      kind: 'council',
      context: {
        mode: 'parallel',
        activeExperts: expertsOf('a', 'b', 'c'),
        synthesisConfig,
        peerReview: {},
        hedge: { afterMs: 5000, backup },
      },
    });
    expect(reviewed.rows.map((row) => [row.name, row.calls])).toEqual([
      ['Expert a', 3],
      ['Spare', 1],
      ['Expert b', 3],
      ['Spare', 1],
      ['Expert c', 3],
      ['Spare', 1],
      ['Synthesizer', 1],
    ]);
    // The backup's own retry policy: two attempts of 500 output tokens.
    expect(reviewed.rows[1]?.worst.usd).toBeCloseTo(1, 9);
  });

  describe('against a run on the dev server with the mock LLM', () => {
    let mock: LLMock;
    let harness: TemporalTestHarness;

    beforeAll(async () => {
      mock = await startMockLlm();
      mock.on({ predicate: () => true }, (request) => {
        const speaker = speakerOf({ body: request }) ?? 'unknown';
        return { content: `${speaker}: answer`, usage: { prompt_tokens: 7, completion_tokens: 5 } };
      });
      harness = await startHarness('budget-council-estimate', createLlmActivities(mockClients(mock)));
    });
    afterAll(async () => {
      await harness?.close();
      await mock?.stop();
    });

    it('a budget of exactly the estimate refuses nothing, and the run makes the calls it counted', async () => {
      const estimate = estimateCouncil({ kind: 'council', context: debate });
      const budget = { maxTokens: estimate.total.tokens, maxCostUsd: estimate.total.usd };
      const result = await executeCouncilExperts(
        harness.client,
        { task: 'Four-day week?', ...debate, budget },
        undefined,
        undefined,
        { taskQueue: harness.taskQueue },
      );
      // Every reservation the run made fitted beside the others: together they never passed the estimate.
      expect(result.budget).toMatchObject({ exhausted: false, refusedCount: 0, reserved: { tokens: 0 } });
      expect(result.synthesis.status).toBe('done');
      const calls = new Map<string, number>();
      for (const entry of chatRequests(mock)) {
        const speaker = speakerOf(entry) ?? 'unknown';
        calls.set(speaker, (calls.get(speaker) ?? 0) + 1);
      }
      expect(Object.fromEntries(calls)).toEqual(
        Object.fromEntries(estimate.rows.map((row) => [row.name, row.calls])),
      );
      expect(result.budget?.spent.tokens).toBeLessThanOrEqual(estimate.total.tokens);
      expect(result.budget?.spent.usd).toBeLessThanOrEqual(estimate.total.usd);
    });

    it('a session round under a budget of exactly its estimate refuses nothing, however long its question', async () => {
      // The question and the answer the second speaker is shown are never trimmed to maxTokens: a
      // prompt can be far past it, and the budget reserves every byte of it.
      const config = sessionConfigSchema.parse({
        strategy: 'roundRobin',
        maxTokens: 200,
        participants: ['A', 'B'].map((name) => ({ name, role: 'panelist', ...bounded })),
      });
      const estimate = estimateSession(config);
      const budget = { maxTokens: estimate.total.tokens, maxCostUsd: estimate.total.usd };
      const session = await MultiParticipantSession.create(
        harness.client,
        { ...config, budget },
        { taskQueue: harness.taskQueue },
      );
      const responses = await session.sendMessage(
        'user',
        `Weigh this brief. ${'Evidence follows. '.repeat(400)}`,
      );
      expect(responses.map((r) => [r.participantName, r.status, r.error?.type])).toEqual([
        ['A', 'ok', undefined],
        ['B', 'ok', undefined],
      ]);
      const view = await session.close();
      expect(view.budget).toMatchObject({ exhausted: false, refusedCount: 0 });
      expect(view.budget?.spent.tokens).toBeLessThanOrEqual(estimate.total.tokens);
    });
  });

  it('`council estimate -c` prints it for a council config file', async () => {
    const file = writeConfig('estimate-council.json', councilConfig(debate));
    const json = await runCli(['estimate', '-c', file, '--json'], cliEnv());
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      scope: 'council',
      priced: true,
      total: {
        tokens: 8 * (debateShare() + 1000) + (PROMPT_TOKEN_BOUND + 1000),
      },
    });
    const text = await runCli(['estimate', '-c', file], cliEnv());
    expect(text.stdout).toMatch(
      /worst case of the council: \d+ tokens, \$9\.0000 \(each expert turn's prompt at its share of the run's prompts, every other at \d+ tokens\)/,
    );
    // A row's figure counts every attempt its retry allows: the row says how many.
    expect(text.stdout).toMatch(/^Expert a +openai\/gpt-4o-mini +4 call\(s\) × 1 attempt +\d+ tokens/m);
    const retried = writeConfig(
      'estimate-retried.json',
      councilConfig({ ...debate, synthesisConfig: { ...synthesisConfig, retry: undefined } }),
    );
    const withRetries = await runCli(['estimate', '-c', retried], cliEnv());
    expect(withRetries.stdout).toMatch(
      /^Synthesizer +openai\/gpt-4o-mini +1 call\(s\) × 4 attempts +\d+ tokens/m,
    );
    const rows = (
      JSON.parse((await runCli(['estimate', '-c', retried, '--json'], cliEnv())).stdout) as {
        rows: Array<{ name: string; calls: number; attempts: number }>;
      }
    ).rows.map(({ name, calls, attempts }) => [name, calls, attempts]);
    expect(rows).toEqual([
      ['Expert a', 4, 1],
      ['Expert b', 4, 1],
      ['Synthesizer', 1, 4],
    ]);
  });
});
