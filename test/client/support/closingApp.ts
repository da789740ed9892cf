import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliEnv } from '../../cli/cli';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * Runs `app` (a CommonJS script that closes a Council with a call in flight) in a Node process of its
 * own, with a fresh data dir as its first argument and `kind` as its second: an error thrown out of
 * a timer ends that process, not the test's. Returns its exit status and output, and whether its
 * stderr holds what a retry on a closed channel threw from a timer ("Channel has been shut down", or
 * a TypeError).
 */
export function runClosingApp(app: string, kind: string) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'council-close-'));
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', app, dataDir, kind], {
    cwd: ROOT,
    env: cliEnv(),
    encoding: 'utf8',
    timeout: 150_000,
  });
  const crashed = /Channel has been shut down|TypeError/.test(run.stderr);
  return { status: run.status, stdout: run.stdout, crashed };
}
