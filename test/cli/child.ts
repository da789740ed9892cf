import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { cliEnv } from './cli';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Runs `script` in a CLI-like process (tsx, as the CLI's tests run it: jest cannot load the
 * CLI's ESM-only dependencies) and parses the JSON it writes on its last line.
 */
export function inChild<T>(script: string): T {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: ROOT,
    env: cliEnv(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? 'null') as T;
}
