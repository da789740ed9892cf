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
describe('a budgeted session followed by send and attach', () => {
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
    expectSuccess(await runCli(['session', 'close', id, '--worker'], env));
  });
});
