import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { LLMock } from '@copilotkit/aimock';
import { expectDeliveredOf } from '../helpers/answers';
import { startMockLlm } from '../helpers/mockLlm';
import { cliEnv, mockProviderEnv, runCli, startCli, stopStartedClis, waitFor } from '../cli/cli';

// Four CLI processes, three of them starting the embedded server: slow on a busy 2-core machine.
jest.setTimeout(300_000);

const BIG = `BIG-CLI ${'long answer text '.repeat(20_000)}`;

describe('CLI on the embedded server: large payloads in <dataDir>/blobs with nothing to set up', () => {
  let mock: LLMock;
  let env: Record<string, string>;

  beforeAll(async () => {
    mock = await startMockLlm();
    mock.on({ predicate: () => true }, { content: BIG, usage: { prompt_tokens: 1, completion_tokens: 1 } });
    env = cliEnv(mockProviderEnv(mock));
  });
  afterAll(async () => {
    await stopStartedClis();
    await mock?.stop();
  });

  it('run stores the answers as blobs; show reads them back; gc keeps them; codec-server answers', async () => {
    const run = await runCli(['run', 'Write a lot', '--json', '--id', 'cli-blobs-1'], env);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { responses: Array<{ content: string }> };
    // Over the 256 KiB answer cap: each answer arrives as its true beginning and council's notice.
    for (const response of result.responses) expectDeliveredOf(response.content, BIG);
    const blobs = readdirSync(path.join(env.COUNCIL_DATA_DIR!, 'blobs'), { recursive: true });
    expect(blobs.length).toBeGreaterThan(0);

    const show = await runCli(['session', 'show', 'cli-blobs-1', '--json'], env);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('BIG-CLI');

    const gc = await runCli(['gc', '--dry-run', '--json', '--older-than', '1h'], env);
    expect(gc.code).toBe(0);
    expect(JSON.parse(gc.stdout)).toMatchObject({ dryRun: true, removed: [], olderThanMs: 3_600_000 });

    const bad = await runCli(['gc', '--older-than', '5m'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--older-than 5m: expected an age from 1h to 36500d');

    const codec = startCli(['codec-server', '--port', '0'], env);
    await waitFor('the codec server to listen', () => /codec server at (\S+),/.test(codec.output.stdout), {
      process: codec,
    });
    const url = /codec server at (\S+),/.exec(codec.output.stdout)![1]!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const reply = await fetch(`${url}/decode`, { method: 'POST', body: JSON.stringify({ payloads: [] }) });
    expect(await reply.json()).toEqual({ payloads: [] });
    codec.child.kill('SIGINT');
    expect((await codec.done).code).toBe(0);
  });
});
