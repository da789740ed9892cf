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
