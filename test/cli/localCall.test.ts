import { clusterEnv, cliEnv, panelConfig, runCli, writeConfig } from './cli';

const QUESTION = 'What should we build next?';
const model = { provider: 'openai', model: 'gpt-4o-mini' };

describe('council run with participants called as local activities (callAs: local)', () => {
  it('says which answers appear whole, with no streamed tokens, and answers', async () => {
    const config = writeConfig(
      'local-panel.yaml',
      panelConfig({
        participants: [
          { name: 'Quick', role: 'panelist', model, callAs: 'local' },
          { name: 'Steady', role: 'panelist', model },
        ],
      }),
    );
    const result = await runCli(
      ['run', QUESTION, '-c', config, '--worker', '--json'],
      clusterEnv('run-local'),
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'Note: Quick is called as a local activity (callAs: local): no streamed tokens, each answer appears whole',
    );
    const json = JSON.parse(result.stdout) as { responses: Array<{ name: string; status: string }> };
    expect(json.responses.map((r) => [r.name, r.status])).toEqual([
      ['Quick', 'ok'],
      ['Steady', 'ok'],
    ]);
  }, 120_000);

  // A config's periodBudget was dropped without a word by `run`: it binds only a schedule's runs.
  it("says a config's periodBudget does not bind a run of its own", async () => {
    const config = writeConfig(
      'period-run.yaml',
      panelConfig({
        budget: { maxTokens: 100_000 },
        periodBudget: { period: 'day', maxTokens: 200_000 },
        participants: [{ name: 'A', role: 'panelist', model, maxOutputTokens: 256 }],
      }),
    );
    const result = await runCli(
      ['run', QUESTION, '-c', config, '--worker', '--json'],
      clusterEnv('run-period'),
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      "Note: periodBudget is shared by a schedule's runs (`council schedule create`): this run has its budget alone",
    );
  }, 120_000);

  it('`config check` refuses a heartbeat timeout on a local participant, with its line and the fix', async () => {
    const bad = writeConfig(
      'local-heartbeat.yaml',
      'strategy: broadcast\nparticipants:\n  - name: A\n    role: panelist\n    model: { provider: openai, model: m }\n' +
        '    callAs: local\n    timeouts: { heartbeatMs: 2000 }\n',
    );
    const result = await runCli(['config', 'check', bad], cliEnv());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${bad}:6: participants[0].callAs: timeouts.heartbeatMs has no effect with callAs: local`,
    );
  });
});
