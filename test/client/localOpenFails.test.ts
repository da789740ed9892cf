import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliEnv, serverProcesses } from '../cli/cli';

// A Council.local() that fails must leave nothing that keeps the application alive: the README's
// first example prints the reason and exits, it does not hang with the reason printed.
jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');
const APP = `
const { Council } = require('./client');
Council.local({ simulate: true, dataDir: process.argv[1] }).then(
  (council) => council.close(),
  (error) => {
    console.log('rejected: ' + error.message);
    process.exitCode = 1;
  },
);
`;
/** Far above what a failed open takes (seconds), far below forever. */
const EXIT_BOUND_MS = 60_000;

function runApp(dataDir: string, env: Record<string, string>) {
  const app = spawn(process.execPath, ['--import', 'tsx', '-e', APP, dataDir], {
    cwd: ROOT,
    env: { ...cliEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  app.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise<{ ended: number | string | null; stdout: string }>((resolve) => {
    const timer = setTimeout(() => app.kill('SIGKILL'), EXIT_BOUND_MS);
    app.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ ended: signal ?? code, stdout });
    });
  });
}

describe('a Council.local() that fails to open', () => {
  it('lets the process exit when the Temporal CLI is missing', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'council-open-fails-'));
    const run = await runApp(dataDir, { TEMPORAL_CLI_PATH: path.join(dataDir, 'no-temporal') });
    expect(run).toEqual({ ended: 1, stdout: expect.stringContaining('rejected: TEMPORAL_CLI_PATH names') });
  });

  it('lets the process exit, and stops the server it started, when a setting fails after the server is up', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'council-open-fails-'));
    const run = await runApp(dataDir, { COUNCIL_BLOB_STORE: 's3' });
    expect(run).toEqual({ ended: 1, stdout: expect.stringContaining('COUNCIL_S3_BUCKET') });
    expect(serverProcesses(dataDir)).toHaveLength(0);
  });
});
