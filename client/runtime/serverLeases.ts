import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isAlive } from './serverStopping';

/**
 * A process that borrows another's embedded server (a second command on the same data directory)
 * holds a lease on it: a file named by its pid and a random part, taken under the start lock when it
 * finds the published server and removed when it closes. The owner stops the server only once no
 * other live process holds one, so a command that outlasts the one whose server it borrowed keeps it.
 * A lease whose process is gone (killed) no longer counts, and is removed by the next look.
 */
const LEASES_DIR = 'server-leases';

/** A borrower's hold on a data directory's server; release it when the borrower is done with it. */
export interface ServerLease {
  release(): void;
}

/** Records that this process uses the data directory's published server. */
export function takeServerLease(dataDir: string): ServerLease {
  const dir = path.join(dataDir, LEASES_DIR);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${process.pid}.${randomUUID()}`);
  writeFileSync(file, '');
  return { release: () => rmSync(file, { force: true }) };
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
    const pid = Number(name.split('.')[0]);
    if (pid === process.pid) continue;
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) users.add(pid);
    else rmSync(path.join(dir, name), { force: true });
  }
  return [...users];
}
