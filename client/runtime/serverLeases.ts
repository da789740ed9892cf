import { randomUUID } from 'node:crypto';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isAlive, procStat } from './serverStopping';
import { makeDirectory } from '../../storage/directories';

/**
 * A process that borrows another's embedded server (a second command on the same data directory)
 * holds a lease on it: a file named by its pid, its start time and a random part, taken under the
 * start lock when it finds the published server and removed when it closes. A CLI command that owns
 * the server stops it only once no other live process holds one (localServerClose.ts), so a command
 * that outlasts the one whose server it borrowed keeps it. A lease counts while its process runs: on
 * Linux the process's start time must match too, so a pid given to another process since does not
 * count. A new server starts with no leases: those left were on a server that is gone.
 */
const LEASES_DIR = 'server-leases';

/** A borrower's hold on a data directory's server; release it when the borrower is done with it. */
export interface ServerLease {
  release(): void;
}

/** Records that this process uses the data directory's published server. */
export function takeServerLease(dataDir: string): ServerLease {
  const dir = path.join(dataDir, LEASES_DIR);
  makeDirectory(dir);
  const file = path.join(dir, `${process.pid}.${startTimeOf(process.pid) ?? ''}.${randomUUID()}`);
  writeFileSync(file, '');
  return { release: () => rmSync(file, { force: true }) };
}

/** Removes every lease: for a server about to start, which no one has borrowed yet. */
export function clearServerLeases(dataDir: string): void {
  rmSync(path.join(dataDir, LEASES_DIR), { recursive: true, force: true });
}

/**
 * The pids of other live processes that hold a lease on the data directory's server; leases of
 * processes that are gone are removed. This process's own leases are its callers' to close first.
 */
export function otherServerUsers(dataDir: string): number[] {
  const dir = path.join(dataDir, LEASES_DIR);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const users = new Set<number>();
  for (const name of names) {
    const [pidText = '', startTime = ''] = name.split('.');
    const pid = Number(pidText);
    if (pid === process.pid) continue;
    if (holds(pid, startTime)) users.add(pid);
    else rmSync(path.join(dir, name), { force: true });
  }
  return [...users];
}

function holds(pid: number, startTime: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return false;
  return startTime === '' || startTimeOf(pid) === startTime;
}

/**
 * When a process started (clock ticks after boot, /proc/PID/stat's 22nd field); undefined without
 * /proc (not Linux) or once the process is gone.
 */
function startTimeOf(pid: number): string | undefined {
  // procStat begins at field 3: field 22 is its 20th.
  return procStat(pid)?.[19];
}
