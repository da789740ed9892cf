import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../client/runtime/freePort';
import { cliEnv } from '../cli/cli';

// A model call that fails is in the round's responses; the embedded worker's log says so in a line
// per attempt, not the SDK's 30-line dump of the error and its stack.
jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');
const APP = `
const { Council } = require('./client');
(async () => {
  const council = await Council.local({ dataDir: process.argv[1] });
  try {
    const session = await council.startSession({ strategy: 'broadcast' });
    const retry = { maximumAttempts: 2, initialIntervalMs: 100 };
    await session.addParticipant('Solo', { provider: 'openai', model: 'gpt-4o-mini' }, 'panelist', { retry });
    const [response] = await session.sendMessage('user', 'Hello?');
    console.log('response ' + response.status + ' ' + response.error.type);
    await session.close();
  } finally {
    await council.close();
  }
})();
`;

describe('Council.local() when a model call fails', () => {
  it('logs one line per failed attempt, without the error dump', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'council-logging-'));
    // Nothing listens there: every attempt fails to connect.
    const closed = `http://127.0.0.1:${await freePort()}`;
    const app = spawn(process.execPath, ['--import', 'tsx', '-e', APP, dataDir], {
      cwd: ROOT,
      env: cliEnv({
        OPENAI_API_KEY: 'sk-test-logging',
        OPENAI_BASE_URL: `${closed}/v1`,
        COUNCIL_PROVIDER_POLICY: JSON.stringify({ keys: { OPENAI_API_KEY: [closed] } }),
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    app.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    app.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => app.once('close', resolve));
    expect(code).toBe(0);
    expect(stdout).toContain('response failed ProviderConnectionError');
    const failures = stderr.split('\n').filter((line) => line.includes('model call r1.answer.Solo of '));
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatch(
      /\[WARN\] model call .* failed \(attempt 1\): ProviderConnectionError: openai: /,
    );
    expect(stderr).not.toContain('Activity failed');
    expect(stderr).not.toContain('taskToken');
    expect(stderr).not.toContain('    at ');
  });
});
