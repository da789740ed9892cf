import type { LocalServer } from './localServer';
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

/**
 * Calls `onGone` once, with the pid, when the process behind the embedded server is gone. Such a
 * server does not come back: the next one on the data directory listens on another port, so a
 * command that waited for this one (queries wait through a restart for minutes) would wait for
 * nothing. The check is of a pid, not of the port: a server too busy to accept a connection at once
 * is not gone. Returns the function that stops watching; the watch alone keeps no process alive.
 */
export function watchServerProcess(server: LocalServer, onGone: (pid: number) => void): () => void {
  const pid = serverProcessOf(server);
  const timer = setInterval(() => {
    if (isAlive(pid)) return;
    clearInterval(timer);
    onGone(pid);
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
export function exitWhenServerGone(server: LocalServer, address: string, hint: () => string): () => void {
  return watchServerProcess(server, (pid) => {
    process.stderr.write(`council: ${serverGoneMessage(address, pid)} (${hint()})\n`);
    server.lease?.release();
    process.exit(1);
  });
}

/** What is said of an embedded server that is gone, by a command and by a library Council alike. */
export function serverGoneMessage(address: string, pid: number): string {
  return `the Temporal server at ${address} has stopped: process ${pid}, which ran it, is gone`;
}
