import type { ChatCompletionRequest } from '@copilotkit/aimock';
import { simulatedResponse } from '../../client/simulation/simulatedAnswers';
import { cliEnv, runCli, stopStartedClis, writeConfig } from '../cli/cli';

// Spawns the CLI with its embedded server: seconds on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

/**
 * Two panelists whose answers are capped at 20 tokens, under a budget two capped answers fit ($0.0004
 * at $10 per million output tokens, one attempt each) and two uncapped simulated answers (~70 tokens
 * each) do not.
 */
const CAPPED = {
  strategy: 'broadcast',
  budget: { maxCostUsd: 0.0005, onExhausted: 'stop' },
  participants: ['A', 'B'].map((name) => ({
    name,
    role: 'panelist',
    model: { provider: 'openai', model: 'gpt-4o-mini', price: { inputPerMTok: 0, outputPerMTok: 10 } },
    maxOutputTokens: 20,
    retry: { maximumAttempts: 1 },
  })),
};

interface RunJson {
  responses: Array<{
    name: string;
    status: string;
    truncated?: boolean;
    tokenUsage: { outputTokens: number };
  }>;
  budget: { spent: { usd: number }; exhausted: boolean };
}

// Simulated answers ignored maxOutputTokens: a budget "that cannot be overspent", tried without keys
// as the README says, spent $0.0014 of its $0.0005.
describe('simulated participants under an output cap', () => {
  it('stop at maxOutputTokens, as a model does, so a budget tried without keys holds', async () => {
    const config = writeConfig('capped.json', CAPPED);
    const run = await runCli(
      ['run', 'Which language first?', '-c', config, '--simulate', '--json'],
      cliEnv(),
    );
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as RunJson;
    expect(result.responses.map((r) => [r.name, r.status])).toEqual([
      ['A', 'ok'],
      ['B', 'ok'],
    ]);
    for (const response of result.responses) expect(response.tokenUsage.outputTokens).toBeLessThanOrEqual(20);
    expect(result.budget.spent.usd).toBeLessThanOrEqual(0.0005);
    expect(result.budget.exhausted).toBe(false);
  });
});

describe('the simulated answer at its cap', () => {
  it('is cut between characters, never inside one: a task with an emoji keeps whole ones', () => {
    const request = {
      model: 'gpt-4o-mini',
      max_tokens: 10,
      // Odd: a cut at a UTF-16 count falls inside a pair, in the topic (90) and at the cap (40).
      messages: [{ role: 'user', content: `x${'🚀'.repeat(60)} go?` }],
    } as unknown as ChatCompletionRequest;
    const { content, finishReason } = simulatedResponse(request) as {
      content: string;
      finishReason?: string;
    };
    expect(finishReason).toBe('length');
    expect([...content]).toHaveLength(40);
    expect(content).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });
});
