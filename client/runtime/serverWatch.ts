import { stillPublished, type LocalServer } from './localServer';
import { isAlive } from './serverStopping';

/**
 * How often a command or a Council looks whether the embedded server it uses still runs: a signal
 * to a pid, cheap enough to look before the SDK's retries of the server's polls begin to warn.
 */
const CHECK_MS = 250;

/**
 * The process whose end is the end of the embedded server a command uses: the guard of a server it
 * started (devServerProcess.ts, which exits with the server), else the council process that
 * published the server it borrowed (that process stops its server when it exits, and a kill of it
 * takes the server along).
 */
function serverProcessOf(server: LocalServer): number {
  return server.owned?.pid ?? server.pid;
}

/** Checks in a row that find a borrowed server withdrawn before it counts as gone: one read could race a rewrite. */
const WITHDRAWN_CHECKS = 2;

/**
 * Calls `onGone` once, with why, when the embedded server is gone: the process behind it ended, or,
 * for a borrowed server, its owner withdrew it from `dataDir` (it closed its Council or command and
 * stopped the server while its process goes on, perhaps this very process). Such a server does not
 * come back: the next one on the data directory listens on another port, so a command that waited
 * for this one (queries wait through a restart for minutes) would wait for nothing. The check is of
 * a pid and a file, not of the port: a server too busy to accept a connection at once is not gone.
 * Returns the function that stops watching; the watch alone keeps no process alive.
 */
export function watchServerProcess(
  server: LocalServer,
  dataDir: string,
  onGone: (why: string) => void,
): () => void {
  const pid = serverProcessOf(server);
  let withdrawn = 0;
  const timer = setInterval(() => {
    withdrawn = server.owned || stillPublished(dataDir, server) ? 0 : withdrawn + 1;
    const alive = isAlive(pid);
    if (alive && withdrawn < WITHDRAWN_CHECKS) return;
    clearInterval(timer);
    onGone(alive ? `process ${pid}, which ran it, closed it` : `process ${pid}, which ran it, is gone`);
  }, CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * For a CLI command: when its embedded server is gone, says so with `hint()` (what to do next),
 * releases its lease and exits 1 (the CLI's error exit). Its workers would otherwise retry their
 * polls and its reads wait for a restart, for minutes, in silence. Returns the function that stops
 * watching (before the command stops a server of its own).
 */
export function exitWhenServerGone(
  server: LocalServer,
  dataDir: string,
  address: string,
  hint: () => string,
): () => void {
  return watchServerProcess(server, dataDir, (why) => {
    process.stderr.write(`council: ${serverGoneMessage(address, why)} (${hint()})\n`);
    server.lease?.release();
    process.exit(1);
  });
}

/** What is said of an embedded server that is gone, by a command and by a library Council alike. */
export function serverGoneMessage(address: string, why: string): string {
  return `the Temporal server at ${address} has stopped: ${why}`;
}
