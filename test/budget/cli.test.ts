import path from 'node:path';
import { chatRequests, speakerOf, useParticipantMock } from '../helpers/mockLlm';
import { parseJsonDocument } from '../../client/cli/jsonOutput';
import { estimateSession, formatEstimate } from '../../client/cli/estimate';
import { PROMPT_TOKEN_BOUND } from '../../client/cli/estimateRow';
import type { Amount } from '../../common/budget';
import { sessionConfigSchema } from '../../common/session';
import {
  clusterEnv,
  cliEnv,
  councilConfig,
  mockProviderEnv,
  runCli,
  stopStartedClis,
  writeConfig,
} from '../cli/cli';

// Each case spawns the CLI: minutes on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

const FREE = { inputPerMTok: 0, outputPerMTok: 0 };
const EXAMPLE = path.resolve(__dirname, '../../examples/budget.yaml');

/** Three openai panelists whose worst case is exactly $1 a call ($1000/MTok output, 1000 tokens, one attempt). */
function budgetConfig(maxCostUsd: number) {
  return {
    strategy: 'broadcast',
    budget: { maxCostUsd },
    participants: ['A', 'B', 'C'].map((name) => ({
      name,
      role: 'panelist',
      model: { provider: 'openai', model: 'gpt-4o-mini', price: { inputPerMTok: 0, outputPerMTok: 1000 } },
      maxOutputTokens: 1000,
      retry: { maximumAttempts: 1 },
    })),
  };
}

describe('budgets in the CLI', () => {
  const llm = useParticipantMock();

  it('`run --json` shows the budget: limit, spent, reserved, exhausted and the refused call', async () => {
    const config = writeConfig('budget.json', budgetConfig(2.5));
    const result = await runCli(
      ['run', 'What is 2 + 2?', '-c', config, '--worker', '--json'],
      clusterEnv('budget-json', mockProviderEnv(llm.mock)),
    );
    const json = JSON.parse(result.stdout) as {
      responses: Array<{ name: string; status: string; costUsd?: number; error?: { type: string } }>;
      budget: Record<string, unknown> & { spent: { usd: number; tokens: number } };
    };
    expect(json.responses.map((r) => [r.name, r.status])).toEqual([
      ['A', 'ok'],
      ['B', 'ok'],
      ['C', 'skipped'],
    ]);
    expect(json.responses[2]?.error?.type).toBe('BudgetExhausted');
    expect(
      chatRequests(llm.mock)
        .map((entry) => speakerOf(entry))
        .sort(),
    ).toEqual(['A', 'B']);
    // aimock answers with usage 10 in / 5 out: two answers, 10 output tokens at $1000/MTok.
    expect(json.budget).toMatchObject({
      limit: { maxCostUsd: 2.5 },
      spent: { tokens: 30 },
      reserved: { tokens: 0, usd: 0 },
      exhausted: true,
      refusedCount: 1,
      refused: [expect.objectContaining({ participant: 'C', needed: expect.objectContaining({ usd: 1 }) })],
    });
    expect(json.budget.spent.usd).toBeCloseTo(0.01, 9);
    expect(json.responses[0]?.costUsd).toBeCloseTo(0.005, 9);
    expect(result.code).toBe(2);
  });

  it('`run` under `onExhausted: downgrade` sends the call that does not fit to the cheaper model, and says so', async () => {
    const cheap = {
      provider: 'openai',
      model: 'gpt-4.1-nano',
      price: { inputPerMTok: 0, outputPerMTok: 100 },
    };
    const config = writeConfig('budget-downgrade.json', {
      ...budgetConfig(2.15),
      // A and B hold $2; C does not fit at $1, but does at $0.1 on the cheaper model.
      budget: { maxCostUsd: 2.15, onExhausted: 'downgrade', downgradeTo: cheap },
    });
    llm.mock.clearRequests();
    const env = clusterEnv('budget-downgrade', mockProviderEnv(llm.mock));
    const result = await runCli(['run', 'What is 2 + 2?', '-c', config, '--worker', '--json'], env);
    const json = JSON.parse(result.stdout) as {
      responses: Array<{ name: string; status: string; downgradedTo?: string }>;
      budget: { downgraded?: boolean; exhausted: boolean; spent: { usd: number } };
    };
    expect(json.responses.map((r) => [r.name, r.status, r.downgradedTo])).toEqual([
      ['A', 'ok', undefined],
      ['B', 'ok', undefined],
      ['C', 'ok', 'openai/gpt-4.1-nano'],
    ]);
    expect(
      chatRequests(llm.mock)
        .map((entry) => `${speakerOf(entry)}:${(entry.body as { model: string }).model}`)
        .sort(),
    ).toEqual(['A:gpt-4o-mini', 'B:gpt-4o-mini', 'C:gpt-4.1-nano']);
    expect(json.budget).toMatchObject({ downgraded: true, exhausted: false });
    expect(json.budget.spent.usd).toBeLessThanOrEqual(2.15);
    expect(result.code).toBe(0);
    // Without --json, the answer's heading and `show` say so beside the role (as the README does).
    const text = await runCli(['run', 'What is 2 + 2?', '-c', config, '--worker'], env);
    expect(text.stdout).toContain('C (panelist, downgraded to openai/gpt-4.1-nano)');
    const id = /council attach (\S+)/.exec(text.stdout)?.[1] ?? 'no id printed';
    const shown = await runCli(['show', id, '--worker'], env);
    expect(shown.stdout).toMatch(/^C \(panelist, downgraded to openai\/gpt-4\.1-nano\) · \d+ tokens/m);
  });

  it("a council's budget: `run --json` and `show` (text and --json) show its spend, limit and refusals", async () => {
    const model = {
      provider: 'openai',
      model: 'gpt-4o-mini',
      price: { inputPerMTok: 0, outputPerMTok: 1000 },
    };
    const bounded = { model, maxOutputTokens: 1000, retry: { maximumAttempts: 1 } };
    const config = writeConfig(
      'budget-council.json',
      councilConfig({
        activeExperts: ['Ada', 'Bob', 'Cy'].map((name) => ({ id: name.toLowerCase(), name, ...bounded })),
        synthesisConfig: { name: 'Synthesizer', ...bounded },
        budget: { maxCostUsd: 2.5 },
      }),
    );
    llm.mock.clearRequests();
    const env = clusterEnv('budget-council', mockProviderEnv(llm.mock));
    const id = `budget-council-${process.pid}`;
    const result = await runCli(['run', '-c', config, '--worker', '--json', '--id', id], env);
    const json = parseJsonDocument(JSON.parse(result.stdout));
    expect(json).toMatchObject({
      type: 'council-result',
      budget: { limit: { maxCostUsd: 2.5 }, exhausted: true, refusedCount: 2 },
    });
    const responses = ('responses' in json && json.responses) || [];
    expect(responses.map((r) => [r.name, r.status, r.error?.type])).toEqual([
      ['Ada', 'ok', undefined],
      ['Bob', 'ok', undefined],
      ['Cy', 'failed', 'BudgetExhausted'],
      ['Synthesizer', 'failed', 'BudgetExhausted'],
    ]);
    // Each answer's cost as the budget counted it ($1000/MTok, 5 tokens); a refused call cost nothing.
    expect(responses.map((r) => r.costUsd && Number(r.costUsd.toFixed(9)))).toEqual([
      0.005,
      0.005,
      undefined,
      undefined,
    ]);
    expect(
      chatRequests(llm.mock)
        .map((entry) => speakerOf(entry))
        .sort(),
    ).toEqual(['Ada', 'Bob']);

    const [shown, shownJson] = await Promise.all([
      runCli(['show', id, '--worker'], env),
      runCli(['show', id, '--worker', '--json'], env),
    ]);
    // aimock answers with 5 output tokens: two answers at $1000/MTok.
    expect(shown.stdout).toMatch(
      /budget: spent \$0\.010000 and \d+ tokens of \$2\.5 \(exhausted\); refused 2 call\(s\)/,
    );
    expect(parseJsonDocument(JSON.parse(shownJson.stdout))).toMatchObject({
      type: 'council-show',
      budget: {
        spent: { usd: 0.01 },
        exhausted: true,
        refused: [{ participant: 'cy' }, { participant: 'Synthesizer' }],
      },
    });
  });

  it('`estimate` prints the worst case of a config before running it', async () => {
    const result = await runCli(['estimate', '-c', EXAMPLE, '--json'], cliEnv());
    expect(result.code).toBe(0);
    const estimate = JSON.parse(result.stdout) as {
      rows: Array<{ name: string; priced: boolean; worst: Amount; withinContext?: Amount }>;
      priced: boolean;
    };
    expect(estimate.rows.map((row) => row.name)).toEqual(['Mini', 'Haiku', 'Local']);
    expect(estimate.priced).toBe(true);
    // gpt-4o-mini: (prompt bound + 512 output) tokens x 4 attempts, at $0.15 / $0.60 per MTok; and
    // the same with each prompt at the 8192-token context.
    expect(estimate.rows[0]?.worst.tokens).toBe((PROMPT_TOKEN_BOUND + 512) * 4);
    expect(estimate.rows[0]?.worst.usd).toBeCloseTo((PROMPT_TOKEN_BOUND * 4 * 0.15 + 512 * 4 * 0.6) / 1e6, 9);
    expect(estimate.rows[0]?.withinContext?.tokens).toBe((8192 + 512) * 4);
    expect(estimate.rows[0]?.withinContext?.usd).toBeCloseTo((8192 * 4 * 0.15 + 512 * 4 * 0.6) / 1e6, 9);
    const text = await runCli(['estimate', '-c', EXAMPLE], cliEnv());
    expect(text.stdout).toMatch(
      /worst case of one round: \d+ tokens, \$\d+\.\d{4} \(every prompt at \d+ tokens\)/,
    );
    expect(text.stdout).toMatch(
      /if every prompt fits maxTokens \(8192\): \d+ tokens, \$\d+\.\d{4} \(not a bound/,
    );
    // Its JSON is a document like every other --json output.
    expect(parseJsonDocument(estimate)).toMatchObject({ schemaVersion: 1, type: 'estimate' });
  });

  it('`estimate` of models without an output bound says so, in words and in JSON', async () => {
    const unbounded = path.resolve(__dirname, '../../examples/broadcast.yaml');
    const text = await runCli(['estimate', '-c', unbounded], cliEnv());
    expect(text.code).toBe(0);
    expect(text.stdout).not.toMatch(/Infinity|NaN/);
    expect(text.stdout).toMatch(/GPT-4 .* unbounded tokens, unbounded cost \(no maxOutputTokens\)/);
    expect(text.stdout).toMatch(/worst case of one round: unbounded \(set maxOutputTokens on every model\)/);
    expect(text.stdout).not.toMatch(/if every prompt fits/);
    const json = parseJsonDocument(
      JSON.parse((await runCli(['estimate', '-c', unbounded, '--json'], cliEnv())).stdout),
    );
    expect(json).toMatchObject({ type: 'estimate', total: { tokens: null, usd: null } });
  });

  it('`estimate` of a free model without an output bound: unbounded tokens, but nothing to pay', () => {
    const config = sessionConfigSchema.parse({
      strategy: 'broadcast',
      maxTokens: 1000,
      participants: [
        { name: 'Local', role: 'panelist', model: { provider: 'openai', model: 'llama3', price: FREE } },
        {
          name: 'Paid',
          role: 'panelist',
          model: { provider: 'openai', model: 'gpt-4o-mini' },
          maxOutputTokens: 100,
        },
      ],
    });
    const estimate = estimateSession(config);
    const paid = (1000 * 4 * 0.15 + 100 * 4 * 0.6) / 1e6;
    expect(estimate.rows[0]?.worst).toEqual({ tokens: Infinity, usd: 0 });
    expect(estimate.withinContext?.usd).toBeCloseTo(paid, 12);
    expect(estimate.total.usd).toBeCloseTo((PROMPT_TOKEN_BOUND * 4 * 0.15 + 100 * 4 * 0.6) / 1e6, 12);
    const text = formatEstimate(estimate);
    expect(text).not.toMatch(/NaN|Infinity/);
    expect(text).toMatch(/Local .* unbounded tokens \(no maxOutputTokens\), \$0\.0000/);
    expect(text).toMatch(/if every prompt fits maxTokens \(1000\): unbounded tokens, \$0\.0008/);
  });
});
