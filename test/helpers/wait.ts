import { readFileSync } from 'node:fs';

/** Polls an observable condition; a fixed sleep never stands in for synchronisation. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * True until the process has exited: a zombie (state Z in /proc/PID/stat), which holds no file any
 * more, has, though its pid is listed until its parent reaps it (or, reparented, until nobody does).
 */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which may itself hold ") ".
    return stat.slice(stat.lastIndexOf(') ') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export { isAlive } from '../../client/runtime/serverStopping';
