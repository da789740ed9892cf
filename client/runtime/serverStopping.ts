import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomically } from './atomicFile';
import type { DevServer } from './devServer';

/**
 * A CLI command does not wait for its embedded server's graceful stop (about a second) before it
 * exits: it asks the server to stop and leaves the wait to the guard process the server runs under
 * (devServerProcess.ts), which outlives it until the server has exited. The next process that would
 * start a server on the same SQLite file waits for that guard first: two servers on one SQLite file
 * would corrupt it. This file says which guard to wait for.
 */
const STOPPING_FILE = 'server-stopping.json';

const stoppingSchema = z.object({ guardPid: z.number().int().positive() });

/** A stop takes about a second; past this the server is taken to hang and is killed, as stopChild would. */
const STOP_WAIT_MS = 10_000;
/** After SIGKILL a process is gone within milliseconds: a short bound, then the start goes on. */
const KILL_WAIT_MS = 2_000;
const POLL_MS = 25;

/** Asks the owned server to stop, and records its guard for the next start to wait on; does not wait. */
export function leaveServerStopping(dataDir: string, server: DevServer): void {
  writeFileAtomically(path.join(dataDir, STOPPING_FILE), JSON.stringify({ guardPid: server.pid }));
  server.beginStop();
}

/**
 * Waits until the server an earlier process left stopping on this data directory has exited; kills it
 * when it has not stopped within {@link STOP_WAIT_MS}. Returns at once when there is none.
 */
export async function awaitEarlierServerStop(dataDir: string): Promise<void> {
  const file = path.join(dataDir, STOPPING_FILE);
  let guardPid: number;
  try {
    guardPid = stoppingSchema.parse(JSON.parse(readFileSync(file, 'utf8'))).guardPid;
  } catch {
    return; // No record.
  }
  if (!(await exits(guardPid, STOP_WAIT_MS))) {
    // The guard leads its own process group (detached), the server in it: both go.
    killGroup(guardPid);
    await waitUntil(() => !groupRuns(guardPid), KILL_WAIT_MS);
  }
  rmSync(file, { force: true });
}

/** Resolves true once `pid` no longer runs a server guard, false after `timeoutMs`. */
function exits(pid: number, timeoutMs: number): Promise<boolean> {
  return waitUntil(() => !isGuard(pid), timeoutMs);
}

/** Resolves true once `done()` holds, false after `timeoutMs`. */
async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return true;
}

/**
 * True while `pid` runs: on Linux only while it is still a `temporal-guard` (a reused pid is not
 * waited for); elsewhere, without /proc, while anything runs under that pid.
 */
function isGuard(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('temporal-guard');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT' || process.platform !== 'linux';
  }
}

/**
 * True while a process of group `pgid` has not finished exiting. SIGKILL only starts an exit: a
 * process keeps its files open until it is a zombie (state Z), and an emptied cmdline comes earlier,
 * so on Linux every member's state is read. Elsewhere a signal to the group tells, zombies included.
 */
function groupRuns(pgid: number): boolean {
  if (process.platform !== 'linux') return isAlive(-pgid);
  return readdirSync('/proc').some((entry) => /^\d+$/.test(entry) && runsInGroup(entry, pgid));
}

function runsInGroup(pid: string, pgid: number): boolean {
  const fields = procStat(Number(pid));
  if (!fields) return false; // Exited and reaped since the listing.
  const [state, , group] = fields;
  return Number(group) === pgid && state !== 'Z' && state !== 'X';
}

/**
 * The fields of /proc/PID/stat after the command name (state, parent pid, process group, …: field 3
 * onwards); undefined without /proc or once the process is gone.
 */
export function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** True while a process exists, a zombie included; with a negative pid, while its group has one. */
export function isAlive(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Gone between the check and the kill.
  }
}
