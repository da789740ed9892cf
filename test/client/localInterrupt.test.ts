import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliEnv, serverProcesses, waitFor } from '../cli/cli';

// Council.local() starts a dev server and a worker in the application's process: an application that
// does nothing about signals must still stop at the first Ctrl-C, as any Node program does.
jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../..');
const APP = `
const { Council } = require('./client');
Council.local({ simulate: true, dataDir: process.argv[1] }).then(() => {
  console.log('ready');
  setInterval(() => {}, 1000);
});
`;

describe('an application that embeds Council.local()', () => {
  it('stops at the first SIGINT, and leaves no server behind', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'council-interrupt-'));
    const app = spawn(process.execPath, ['--import', 'tsx', '-e', APP, dataDir], {
      cwd: ROOT,
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    app.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      app.once('exit', (code, signal) => resolve(signal ?? code)),
    );
    await waitFor('Council.local() to open', () => stdout.includes('ready'), { timeoutMs: 120_000 });
    expect(serverProcesses(dataDir)).toHaveLength(1);

    app.kill('SIGINT');
    const ended = await Promise.race([
      exited,
      new Promise((resolve) => setTimeout(resolve, 15_000, 'still running')),
    ]);
    if (ended === 'still running') app.kill('SIGKILL');
    expect(ended).toBe('SIGINT');
    // The server's guard stops it once its parent is gone.
    await waitFor('the embedded server to stop', () => serverProcesses(dataDir).length === 0, {
      timeoutMs: 15_000,
    });
  });
});
