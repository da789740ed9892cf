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
 * more, has, though its pid is listed until its parent reaps it.
 */
export function isRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

export { isAlive } from '../../client/runtime/serverStopping';
