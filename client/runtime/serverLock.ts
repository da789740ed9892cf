import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CouncilUserError } from '../../common/userError';
import { isAlive } from './serverStopping';

/**
 * Held by the one process that starts a data directory's server, from its look for a published server
 * until it has published its own: two commands started together would otherwise both find none and
 * start two servers on one SQLite file, which corrupts it. The file holds the holder's pid, so a lock
 * left by a killed process is taken over.
 */
const LOCK_FILE = 'server.lock';
const POLL_MS = 25;
/** A start waits out an earlier server's stop (up to 12 s) and its own boot: past this, it is stuck. */
const WAIT_MS = 60_000;

/**
 * Runs `open` while holding the data directory's start lock. `open` looks for a published server
 * first, so a process that waited finds the server its holder published, and borrows it.
 */
export async function withServerStartLock<T>(dataDir: string, open: () => Promise<T>): Promise<T> {
  const file = path.join(dataDir, LOCK_FILE);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const holder = tryLock(file);
    if (holder === undefined) break;
    if (Date.now() > deadline) {
      throw new CouncilUserError(
        `another council process (pid ${holder}) has been starting the server of ${dataDir} for a minute`,
        `wait for it, or stop it; a lock it left behind is ${file}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  try {
    return await open();
  } finally {
    rmSync(file, { force: true });
  }
}

/**
 * Takes the lock: undefined when taken, else the pid of the live process that holds it. The pid is
 * written to a file of its own first and linked into place, so a holder is never seen without it.
 */
function tryLock(file: string): number | undefined {
  const own = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(own, String(process.pid));
  try {
    linkSync(own, file);
    return undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(own, { force: true });
  }
  const holder = holderOf(file);
  // Held by a live process (this one included, for another of its opens): wait.
  if (holder !== undefined && isAlive(holder)) return holder;
  // Left by a process that died holding it: removed, and taken at the next try.
  rmSync(file, { force: true });
  return holder ?? 0;
}

function holderOf(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
