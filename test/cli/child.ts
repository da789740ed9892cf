import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { cliEnv } from './cli';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Runs `script` in a CLI-like process (tsx, as the CLI's tests run it: jest cannot load the
 * CLI's ESM-only dependencies) and parses the JSON it writes on its last line; a child that wrote
 * none fails the test with its exit and the end of its stderr.
 */
export function inChild<T>(script: string): T {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: ROOT,
    env: cliEnv(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  const last = child.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(last) as T;
  } catch {
    const exit = child.signal ?? child.status;
    throw new Error(
      `the child wrote no JSON (exit ${exit}); its stderr ends:\n${child.stderr.slice(-2_000)}`,
    );
  }
}
