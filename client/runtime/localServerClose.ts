import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DevServer } from './devServer';
import { releaseSharedServer, withdrawServerFile, type LocalServer } from './localServer';
import { otherServerUsers } from './serverLeases';
import { withServerStartLock } from './serverLock';
import { leaveServerStopping } from './serverStopping';

/** How often an owner looks again whether the processes that borrowed its server are done. */
const USERS_POLL_MS = 250;
/**
 * The longest an owner waits for its borrowers: past a day the server stops under them (their
 * sessions stay in the SQLite file and go on at the next start). Ctrl-C ends the wait sooner.
 */
const USERS_WAIT_MS = 24 * 60 * 60_000;

/** How {@link closeLocalServer} ends this process's use of the server. */
export interface CloseOptions {
  /** False only asks an owned server to stop: for a process about to exit (see serverStopping.ts). */
  wait?: boolean;
  /**
   * Wait until no other live process uses the owned server before stopping it (CLI commands). Called
   * once, with their pids, when some still do.
   */
  onWaitForUsers?: (pids: number[]) => void;
}

/**
 * Ends this process's use of the server. A borrower releases its lease; an opener that shares the
 * server this process started with others here leaves it running for them. An owner given
 * `onWaitForUsers` first waits until no other live process uses the server (serverLeases.ts); then it
 * withdraws its server.json and stops the server, under the start lock: no process borrows it or
 * starts another server on the file meanwhile. Should this process exit during the wait (Ctrl-C), the
 * server is still left stopping the safe way, recorded for the next start to wait on.
 */
export async function closeLocalServer(
  dataDir: string,
  server: LocalServer,
  { wait = true, onWaitForUsers }: CloseOptions = {},
): Promise<void> {
  const owned = server.owned;
  if (!owned) {
    server.lease?.release();
    return;
  }
  const leaveOnExit = () => {
    withdrawServerFile(dataDir, owned.address);
    leaveServerStopping(dataDir, owned);
  };
  process.once('exit', leaveOnExit);
  try {
    const deadline = Date.now() + USERS_WAIT_MS;
    let released = false;
    for (let told = false; ; told = true) {
      const waitFor = onWaitForUsers && Date.now() < deadline;
      const users = await withServerStartLock(dataDir, async () => {
        // Released under the lock, with the stop: an opener here shares the server first, or finds it gone.
        if (!released) {
          released = true;
          if (releaseSharedServer(dataDir, server)) return [];
        }
        const others = waitFor ? otherServerUsers(dataDir) : [];
        if (others.length === 0) await stopOwned(dataDir, owned, wait);
        return others;
      });
      if (users.length === 0) return;
      if (!told) onWaitForUsers?.(users);
      await sleep(USERS_POLL_MS);
    }
  } finally {
    process.removeListener('exit', leaveOnExit);
  }
}

async function stopOwned(dataDir: string, owned: DevServer, wait: boolean): Promise<void> {
  withdrawServerFile(dataDir, owned.address);
  if (wait) await owned.stop();
  else leaveServerStopping(dataDir, owned);
}

/**
 * The CLI's {@link CloseOptions.onWaitForUsers}: says why the command has not exited, and lets
 * Ctrl-C or SIGTERM end the wait at once (the server is left stopping, and the other commands lose it).
 */
export function sayWaitingForUsers(say: (line: string) => void): (pids: number[]) => void {
  return (pids) => {
    say(`${whoElse(pids)} still uses this server: it stops when they are done (Ctrl-C stops it now)`);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => process.exit(128 + os.constants.signals[signal]));
    }
  };
}

/** Names the other council processes that use a server, for a message. */
export function whoElse(pids: number[]): string {
  return pids.length === 1
    ? `another council process (pid ${pids[0]})`
    : `council processes ${pids.join(', ')}`;
}
