import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DevServer } from './devServer';
import { withdrawServerFile, type LocalServer } from './localServer';
import { otherServerUsers } from './serverLeases';
import { withServerStartLock } from './serverLock';
import { leaveServerStopping } from './serverStopping';

/** How often an owner looks again whether the processes that borrowed its server are done. */
const USERS_POLL_MS = 250;

/** How {@link closeLocalServer} ends this process's use of the server. */
export interface CloseOptions {
  /** False only asks an owned server to stop: for a process about to exit (see serverStopping.ts). */
  wait?: boolean;
  /** Called once when other processes still use the owned server, with their pids, before waiting for them. */
  onWaitForUsers?: (pids: number[]) => void;
}

/**
 * Ends this process's use of the server. A borrower releases its lease. An owner waits until no
 * other live process uses the server (serverLeases.ts), for as long as they run, then withdraws its
 * server.json and stops it, under the start lock: no process borrows it or starts another server on
 * the file meanwhile.
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
  for (let told = false; ; told = true) {
    const users = await withServerStartLock(dataDir, async () => {
      const others = otherServerUsers(dataDir);
      if (others.length === 0) await stopOwned(dataDir, owned, wait);
      return others;
    });
    if (users.length === 0) return;
    if (!told) onWaitForUsers?.(users);
    await sleep(USERS_POLL_MS);
  }
}

async function stopOwned(dataDir: string, owned: DevServer, wait: boolean): Promise<void> {
  withdrawServerFile(dataDir);
  if (wait) await owned.stop();
  else leaveServerStopping(dataDir, owned);
}

/**
 * The CLI's {@link CloseOptions.onWaitForUsers}: says why the command has not exited, and lets
 * Ctrl-C or SIGTERM end the wait at once (the server then stops with this process, see
 * devServerProcess.ts, and the other commands lose it).
 */
export function sayWaitingForUsers(say: (line: string) => void): (pids: number[]) => void {
  return (pids) => {
    const who =
      pids.length === 1 ? `another council process (pid ${pids[0]})` : `council processes ${pids.join(', ')}`;
    say(`${who} still uses this server: it stops when they are done (Ctrl-C stops it now)`);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => process.exit(128 + os.constants.signals[signal]));
    }
  };
}
