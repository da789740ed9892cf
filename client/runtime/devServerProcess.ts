import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The server runs under a bash guard that reads our stdin: when this process dies, even by SIGKILL,
 * the pipe closes, `read` returns and the guard kills the server. No orphan survives its parent.
 */
const GUARD_SCRIPT =
  'exec 3<&0; "$@" </dev/null & pid=$!; trap \'kill -TERM $pid 2>/dev/null\' TERM INT; ' +
  '(read -r _ <&3; kill -TERM $pid 2>/dev/null) & wait $pid; status=$?; wait $pid 2>/dev/null; exit $status';

/** Spawns `executable args` under the guard, its stdout and stderr piped to us. */
export function spawnGuarded(executable: string, args: string[]): ChildProcess {
  return spawn('bash', ['-c', GUARD_SCRIPT, 'temporal-guard', executable, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    // Its own process group: a terminal's Ctrl-C reaches council, which then stops the server cleanly.
    detached: true,
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the guard has exited. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
