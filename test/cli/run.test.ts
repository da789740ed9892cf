import { existsSync } from 'node:fs';
import path from 'node:path';
import type { LLMock } from '@copilotkit/aimock';
import { answerAsParticipants, chatRequests, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { waitFor as waitUntil } from '../helpers/wait';
import {
  cliEnv,
  clusterEnv,
  mockProviderEnv,
  panelConfig,
  runCli,
  serverProcesses,
  startedId,
  writeConfig,
  stopStartedClis,
} from './cli';

const QUESTION = 'What are the key challenges in AI alignment?';

// Every case spawns the CLI (and often a worker): minutes on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

describe('council run', () => {
  let mock: LLMock;

  beforeAll(async () => {
    mock = await startMockLlm();
    // Expert-3 is refused by the provider (401, not retried): the partial-failure case.
    mock.on(
      { predicate: (request) => speakerOf({ body: request }) === 'Expert-3' },
      {
        error: { message: 'invalid api key', type: 'authentication_error' },
        status: 401,
      },
    );
    // Slow enough (per streamed chunk) that the CLI sees the participants thinking.
    answerAsParticipants(mock, 500);
  });
  afterAll(async () => {
    await mock?.stop();
  });
  beforeEach(() => mock.clearRequests());

  it('prints each answer, the usage table and the time, one plain line per event without a terminal', async () => {
    const config = writeConfig('panel.yaml', panelConfig());
    const result = await runCli(
      ['run', QUESTION, '--config', config, '--worker'],
      clusterEnv('run-text', mockProviderEnv(mock)),
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('SIMULATED');
    expect(startedId(result.stdout)).toMatch(/^run-/);
    expect(result.stdout).toMatch(/\] Expert-1: thinking\n/);
    expect(result.stdout).toMatch(/\] Expert-2: done · 15 tokens\n/);
    expect(result.stdout).toMatch(/Expert-1 \(panelist\)\nExpert-1: answer \d/);
    expect(result.stdout).toMatch(/│ Expert-2\s+│ panelist │ ok\s+│\s+10 │\s+5 │\s+15 │/);
    expect(result.stdout).toMatch(/│ Total\s+│\s+│\s+│\s+20 │\s+10 │\s+30 │/);
    expect(result.stdout).toMatch(/Total time: \d+\.\d s/);
    // No terminal: no cursor movement or colour codes.
    expect(result.stdout).not.toContain('\u001b[');
    expect(chatRequests(mock)).toHaveLength(2);
  });

  it('--json prints one machine-readable result on stdout, progress on stderr', async () => {
    const config = writeConfig('panel.json', panelConfig());
    const env = clusterEnv('run-json', mockProviderEnv(mock));
    const result = await runCli(
      ['run', QUESTION, '-c', config, '--worker', '--json', '--id', 'cli-json-1'],
      env,
    );

    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({
      id: 'cli-json-1',
      kind: 'session',
      strategy: 'broadcast',
      question: QUESTION,
      simulated: false,
      status: 'ok',
      exitCode: 0,
      usage: { inputTokens: 20, outputTokens: 10, totalTokens: 30 },
    });
    expect(json.responses).toEqual([
      expect.objectContaining({
        name: 'Expert-1',
        role: 'panelist',
        status: 'ok',
        content: expect.stringMatching(/^Expert-1: answer/),
      }),
      expect.objectContaining({ name: 'Expert-2', role: 'panelist', status: 'ok' }),
    ]);
    expect(result.stderr).toContain('Started session cli-json-1');
  });

  it('exits 2 when some participants fail, naming the failure', async () => {
    const config = writeConfig('three.yaml', {
      ...panelConfig(),
      participants: [
        ...panelConfig().participants,
        { name: 'Expert-3', role: 'panelist', model: { provider: 'openai', model: 'gpt-4o-mini' } },
      ],
    });
    const result = await runCli(
      ['run', QUESTION, '-c', config, '--worker', '--json'],
      clusterEnv('run-partial', mockProviderEnv(mock)),
    );

    expect(result.code).toBe(2);
    const json = JSON.parse(result.stdout) as { status: string; responses: Array<Record<string, unknown>> };
    expect(json.status).toBe('partial');
    expect(json.responses.find((r) => r.name === 'Expert-3')).toMatchObject({
      status: 'failed',
      error: { type: 'ProviderAuthentication' },
    });
    expect(result.stderr).toMatch(/Expert-3: failed: ProviderAuthentication/);
  });

  it('with no API key, simulates the participants over the same activity path and says so', async () => {
    const config = writeConfig('panel.yaml', panelConfig());
    const result = await runCli(['run', QUESTION, '-c', config, '--worker', '--json'], clusterEnv('run-sim'));

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('SIMULATED participants (no API key set, or --simulate)');
    const json = JSON.parse(result.stdout) as {
      simulated: boolean;
      responses: Array<{ content: string; tokenUsage: { totalTokens: number } }>;
    };
    expect(json.simulated).toBe(true);
    for (const response of json.responses) {
      expect(response.content).toMatch(/^\(simulated\) On "What are the key challenges in AI alignment\?"/);
      expect(response.tokenUsage.totalTokens).toBeGreaterThan(0);
    }
    // Participant-specific and deterministic.
    expect(json.responses[0]?.content).not.toBe(json.responses[1]?.content);
    const again = await runCli(['run', QUESTION, '-c', config, '--worker', '--json'], clusterEnv('run-sim'));
    expect((JSON.parse(again.stdout) as typeof json).responses.map((r) => r.content)).toEqual(
      json.responses.map((r) => r.content),
    );
  });

  it('the README quick start works with no key and no server, and leaves no server behind', async () => {
    const env = cliEnv();
    const result = await runCli(['run', QUESTION], env);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('SIMULATED participants (no API key set, or --simulate)');
    expect(result.stdout).toMatch(/Started session run-\S+ \(broadcast\) on 127\.0\.0\.1:\d+/);
    expect(result.stdout).toMatch(/Expert-1 \(panelist\)\n\(simulated\)/);
    expect(result.stdout).toMatch(/Expert-2 \(panelist\)\n\(simulated\)/);
    expect(result.stdout).toMatch(/Total time/);
    const dataDir = env.COUNCIL_DATA_DIR ?? '';
    expect(existsSync(path.join(dataDir, 'temporal.sqlite'))).toBe(true);
    expect(existsSync(path.join(dataDir, 'server.json'))).toBe(false);
    // The CLI exits without waiting for its server's graceful stop (about a second, under the server's
    // guard): nothing is left once that stop ends.
    const noServer = () => serverProcesses(dataDir).length === 0;
    await waitUntil('the first server to finish its stop', noServer, 20_000);

    // The run persisted in the data directory's SQLite file: a later command finds it.
    const list = await runCli(['session', 'list', '--json'], env);
    expect((JSON.parse(list.stdout) as { items: unknown[] }).items).toEqual([
      expect.objectContaining({ id: startedId(result.stdout), councilStatus: 'closed' }),
    ]);
    await waitUntil('the second server to finish its stop', noServer, 20_000);
  });
});
