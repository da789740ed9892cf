import { randomUUID } from 'node:crypto';
import { linkSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CouncilUserError } from '../../common/userError';
import { isAlive } from './serverStopping';

/**
 * Held by the one process that starts a data directory's server, from its look for a published server
 * until it has published its own: two commands started together would otherwise both find none and
 * start two servers on one SQLite file, which corrupts it. The file holds its holder's token (pid and a
 * random part), so a lock left by a killed process is taken over, even by a later process that got
 * the same pid.
 */
const LOCK_FILE = 'server.lock';
const POLL_MS = 25;
/** A start waits out an earlier server's stop (up to 12 s) and its own boot: past this, it is stuck. */
const WAIT_MS = 60_000;
/** Older than any start could hold it: the holder died, and its pid may have been given to another. */
const STALE_MS = 2 * WAIT_MS;
/** Where a data directory that cannot be used sends its user. */
export const OTHER_DATA_DIR =
  'name another with --data-dir or COUNCIL_DATA_DIR (Council.local: its dataDir option)';

/** Tokens of the locks this process holds (two of its opens may wait on each other). */
const held = new Set<string>();

/**
 * Runs `open` while holding the data directory's start lock. `open` looks for a published server
 * first, so a process that waited finds the server its holder published, and borrows it.
 */
export async function withServerStartLock<T>(dataDir: string, open: () => Promise<T>): Promise<T> {
  const file = path.join(dataDir, LOCK_FILE);
  const token = await acquire(file, dataDir);
  try {
    return await open();
  } finally {
    held.delete(token);
    if (tokenIn(file) === token) rmSync(file, { force: true });
  }
}

/** The lock's token once taken; a CouncilUserError after a minute of another process holding it. */
async function acquire(file: string, dataDir: string): Promise<string> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const attempt = tryLock(file);
    if ('token' in attempt) return attempt.token;
    if (Date.now() > deadline) {
      throw new CouncilUserError(
        `another council process (pid ${attempt.holder}) has been starting the server of ${dataDir} for a minute`,
        `wait for it, or stop it; a lock it left behind is ${file}`,
      );
    }
    await sleep(POLL_MS);
  }
}

/**
 * Takes the lock (its token), or names the process that holds it (0 when it just changed hands). The
 * token is written to a file of its own first and linked into place: a lock is never seen empty.
 */
function tryLock(file: string): { token: string } | { holder: number } {
  const token = `${process.pid}.${randomUUID()}`;
  const own = `${file}.${token}`;
  try {
    writeFileSync(own, token);
  } catch (error) {
    // The first file written in the data directory: one that takes none is the user's to change.
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new CouncilUserError(
      `cannot write in ${path.dirname(file)}, the data directory: ${code}`,
      OTHER_DATA_DIR,
    );
  }
  try {
    linkSync(own, file);
    held.add(token);
    return { token };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(own, { force: true });
  }
  const holding = tokenIn(file);
  if (holding === undefined) return { holder: 0 };
  const holder = Number(holding.split('.')[0]);
  if (!isStale(file, holding, holder)) return { holder };
  removeIfStill(file, holding);
  return { holder: 0 };
}

function isStale(file: string, token: string, holder: number): boolean {
  if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) return true;
  if (holder === process.pid) return !held.has(token);
  try {
    return Date.now() - statSync(file).mtimeMs > STALE_MS;
  } catch {
    return false; // Gone since: the next try sees.
  }
}

/**
 * Removes the stale lock `token`, and only it: moved aside first, then checked, and put back when
 * another process took the lock meanwhile (a start that judged the same lock stale, and was quicker).
 */
function removeIfStill(file: string, token: string): void {
  const aside = `${file}.stale.${randomUUID()}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // Gone already.
  }
  if (tokenIn(aside) !== token) {
    try {
      linkSync(aside, file);
    } catch {
      // A third start linked its own lock in this instant; the one moved aside is lost to its holder.
    }
  }
  rmSync(aside, { force: true });
}

function tokenIn(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
