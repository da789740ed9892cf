import { cliEnv, runCli, stopStartedClis, writeConfig } from './cli';

// The selector's calls count in a session's usage; a `run` of a selector round reported only its
// participants' tokens, so its total was lower than `show` and `list` said for the same session.
jest.setTimeout(240_000);
afterAll(stopStartedClis);

interface Usage {
  totalTokens: number;
}

describe('a selector round run from the CLI (simulated)', () => {
  it("counts the selector's tokens in the round's usage, as the session's usage does", async () => {
    const env = cliEnv();
    const model = { provider: 'openai', model: 'gpt-4o-mini' };
    const config = writeConfig('selector.json', {
      strategy: 'selector',
      question: 'Plan the launch.',
      selector: { model, maxTurns: 3, allowRepeatedSpeaker: true },
      participants: ['Planner', 'Marketer', 'Critic'].map((name) => ({ name, role: 'panelist', model })),
    });
    const id = `selector-usage-${Date.now()}`;
    const run = await runCli(['run', '-c', config, '--id', id, '--json'], env);
    expect(run.code).toBe(0);
    const round = JSON.parse(run.stdout) as { usage: Usage; responses: Array<{ tokenUsage: Usage }> };
    const answers = round.responses.reduce((sum, response) => sum + response.tokenUsage.totalTokens, 0);

    const shown = await runCli(['show', id, '--json'], env);
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    const session = JSON.parse(shown.stdout) as { usage: Usage };
    expect(session.usage.totalTokens).toBeGreaterThan(answers);
    expect(round.usage.totalTokens).toBe(session.usage.totalTokens);
  });
});
