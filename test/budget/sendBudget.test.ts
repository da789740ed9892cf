import { useParticipantMock } from '../helpers/mockLlm';
import { clusterEnv, expectSuccess, mockProviderEnv, runCli, stopStartedClis, writeConfig } from '../cli/cli';

// Every case spawns the CLI (and a worker): minutes on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

/** Two priced panelists under a budget the rounds stay well inside. */
const BUDGETED = {
  strategy: 'broadcast',
  budget: { maxCostUsd: 5, onExhausted: 'stop' },
  participants: ['A', 'B'].map((name) => ({
    name,
    role: 'panelist',
    model: { provider: 'openai', model: 'gpt-4o-mini', price: { inputPerMTok: 1, outputPerMTok: 1000 } },
    maxOutputTokens: 100,
  })),
};

interface RoundJson {
  budget?: { spent: { usd: number; tokens: number }; limit: { maxCostUsd?: number } };
}

// docs/json.md promises `budget` under a budget from run, send and attach: send and attach left it out.
describe('a budgeted session followed by send and attach, and joined by a participant', () => {
  const llm = useParticipantMock();

  it('--json documents carry the budget, and send prints its line after the table', async () => {
    const env = clusterEnv('send-budget', mockProviderEnv(llm.mock));
    const id = `send-budget-${process.pid}`;
    const config = writeConfig('budgeted.json', BUDGETED);
    expectSuccess(await runCli(['session', 'start', '-c', config, '--id', id, '--worker'], env));

    const sent = await runCli(['send', id, 'First?', '--worker', '--json'], env);
    expectSuccess(sent);
    const first = (JSON.parse(sent.stdout) as RoundJson).budget;
    expect(first?.limit).toEqual({ maxCostUsd: 5 });
    expect(first?.spent.usd).toBeGreaterThan(0);

    const text = await runCli(['send', id, 'Second?', '--worker'], env);
    expectSuccess(text);
    expect(text.stdout).toMatch(/\nbudget: spent \$\d+\.\d+ and \d+ tokens of \$5\n/);

    const attached = await runCli(['attach', id, '--worker', '--json'], env);
    expectSuccess(attached);
    const latest = (JSON.parse(attached.stdout) as RoundJson).budget;
    expect(latest?.spent.usd).toBeGreaterThan(first?.spent.usd ?? Infinity);
    // A participant joining it needs each call's bound and, for a model the table does not price, a price.
    const add = (...flags: string[]) =>
      runCli(['session', 'add', id, 'C', '--model', 'openai:house-model', '--worker', ...flags], env);
    const unbounded = await add();
    expect(unbounded.code).toBe(1);
    expect(unbounded.stderr).toContain(
      "C has no --max-output-tokens: this session's budget bounds each call by it (e.g. --max-output-tokens 1024)",
    );
    const unpriced = await add('--max-output-tokens', '100');
    expect(unpriced.code).toBe(1);
    expect(unpriced.stderr).toContain(
      "C's model has no listed price, and this session's budget is in dollars",
    );
    expect((await add('--max-output-tokens', '100', '--price', '1,x')).stderr).toContain(
      '--price "1,x" is not two amounts in dollars per million tokens, input then output',
    );
    const added = await add('--max-output-tokens', '100', '--price', '1,1000');
    expectSuccess(added);
    const third = await runCli(['send', id, 'Third?', '--worker', '--json'], env);
    expectSuccess(third);
    expect(
      (JSON.parse(third.stdout) as { responses: Array<{ name: string }> }).responses.map((r) => r.name),
    ).toEqual(['A', 'B', 'C']);
    expectSuccess(await runCli(['session', 'close', id, '--worker'], env));
  });
});
