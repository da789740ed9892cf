import type { ChildProcess } from 'node:child_process';
import type { Connection } from '@temporalio/client';
import net from 'node:net';
import { CouncilUserError } from '../../common/userError';
import { keepClosedRuns } from './devServerRetention';

/** What a starting dev server is watched through until it serves. */
export interface StartingServer {
  child: ChildProcess;
  /** Its gRPC address, `127.0.0.1:port`. */
  address: string;
  /** Every namespace it was told to create: each must answer before the server counts as up. */
  namespaces: string[];
  /** What it printed so far: its banner says it has bound its ports. */
  stdout: string[];
  /** What it wrote to stderr so far, for the error when it dies. */
  stderr: string[];
  /** True when it persists runs (a SQLite file): their retention is raised past the dev server's day. */
  keepsRuns: boolean;
  /** The epoch ms by which it must serve, and the budget that deadline came from (for the error). */
  deadline: number;
  timeoutMs: number;
}

/** Between polls of a port or an RPC; short, since a start takes about a second. */
const POLL_INTERVAL_MS = 100;
/** How long after its exit a server's output may still arrive (its pipes close right after, normally). */
const EXIT_TO_CLOSE_MS = 1_000;
/** One RPC attempt's own bound, so a stalled channel is dropped and a fresh attempt made. */
const RPC_ATTEMPT_MS = 5_000;

/** True when something accepts a TCP connection at `host:port` within `timeoutMs`. */
export function canConnect(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

/**
 * The `temporal` CLI prints its "Temporal Server:" banner once its services have bound their ports. An
 * open port alone does not say whose it is: another server that holds it would answer in our stead.
 */
const BANNER = /Temporal server:/i;

/**
 * Resolves once the server printed its banner; throws when it exits or the deadline passes. Each is
 * an event, so a start waits for no poll (every `council run` waits for this).
 */
export function waitForAnnouncement(server: StartingServer): Promise<void> {
  const { child } = server;
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: Error): void => {
      clearTimeout(timer);
      clearTimeout(closeDue);
      child.stdout?.off('data', check);
      child.off('close', closed);
      child.off('exit', exitedNow);
      if (error) reject(error);
      else resolve();
    };
    // Runs after startOnce's own listener, which keeps the chunk in `server.stdout`.
    const check = (): void => {
      if (BANNER.test(server.stdout.join(''))) settle();
    };
    // 'close' rather than 'exit': by then every byte of stderr, which the error quotes, was read. A
    // process left holding the pipes would hold 'close' back: 'exit' bounds that wait.
    const closed = (): void => settle(exitedError(server));
    let closeDue: NodeJS.Timeout | undefined;
    const exitedNow = (): void => {
      closeDue = setTimeout(closed, EXIT_TO_CLOSE_MS);
    };
    const timer = setTimeout(
      () =>
        settle(
          new CouncilUserError(
            `The Temporal dev server for ${server.address} did not report its ports bound within ${server.timeoutMs} ms`,
            startHint(server),
          ),
        ),
      Math.max(0, server.deadline - Date.now()),
    );
    child.stdout?.on('data', check);
    child.once('close', closed);
    child.once('exit', exitedNow);
    if (exited(server)) settle(exitedError(server));
    else check();
  });
}

/** Resolves once `port` on 127.0.0.1 accepts TCP; throws when the server exits or the deadline passes. */
export async function waitForPort(server: StartingServer, port: number): Promise<void> {
  while (Date.now() < server.deadline) {
    throwIfExited(server);
    if (await canConnect('127.0.0.1', port)) return;
    await pause();
  }
  throw new CouncilUserError(
    `The Temporal dev server did not answer on port ${port} within ${server.timeoutMs} ms`,
    startHint(server),
  );
}

/**
 * Resolves once the server printed its banner and answers DescribeNamespace for each of its
 * namespaces. An open port alone is not enough: the frontend binds it before it serves, and
 * namespaces are created after that.
 */
export async function waitUntilServing(server: StartingServer): Promise<void> {
  // Loaded here, not at the top: `council run` spawns the server before the Temporal SDK loads. Made
  // while the server boots: the client's setup is ~20 ms of CPU a started server would wait for. Its
  // channel is its own: gRPC shares one among connections of equal options, and one that had backed
  // off from this port's previous server kept a restarted one unanswered for up to its next attempt.
  const connection = import('@temporalio/client').then(({ Connection }) =>
    Connection.lazy({ address: server.address, channelArgs: { 'grpc.use_local_subchannel_pool': 1 } }),
  );
  // Handled here too: a failed load is thrown below, not reported as unhandled while the banner is awaited.
  connection.catch(() => undefined);
  try {
    await waitForAnnouncement(server);
    const opened = await connection;
    const replies = await answersDescribeNamespace(server, opened);
    if (server.keepsRuns) {
      await keepClosedRuns(opened, server.namespaces, replies, server.deadline).catch((error: unknown) => {
        throw failedStart(server, "did not take council's retention of closed runs", error);
      });
    }
  } finally {
    await connection.then((opened) => opened.close()).catch(() => undefined);
  }
}

async function answersDescribeNamespace(server: StartingServer, connection: Connection) {
  let lastError: unknown;
  while (Date.now() < server.deadline) {
    throwIfExited(server);
    const attemptDeadline = Math.min(server.deadline, Date.now() + RPC_ATTEMPT_MS);
    try {
      return await connection.withDeadline(attemptDeadline, () =>
        Promise.all(
          server.namespaces.map((namespace) => connection.workflowService.describeNamespace({ namespace })),
        ),
      );
    } catch (error) {
      lastError = error;
    }
    await pause();
  }
  const within = `within ${server.timeoutMs} ms`;
  const namespaces = server.namespaces.join(', ');
  throw failedStart(
    server,
    `accepted connections but did not answer DescribeNamespace (${namespaces}) ${within}`,
    lastError,
  );
}

/** A start that failed at `what`, with the last error's first line and where to look. */
function failedStart(server: StartingServer, what: string, error: unknown): CouncilUserError {
  const reason = error instanceof Error ? `: ${error.message.split('\n')[0]}` : '';
  return new CouncilUserError(
    `The Temporal dev server on ${server.address} ${what}${reason}`,
    startHint(server),
  );
}

function throwIfExited(server: StartingServer): void {
  if (exited(server)) throw exitedError(server);
}

function exited(server: StartingServer): boolean {
  return server.child.exitCode !== null || server.child.signalCode !== null;
}

function exitedError(server: StartingServer): CouncilUserError {
  return new CouncilUserError(`The Temporal dev server exited at start: ${exitReason(server)}`);
}

/**
 * Why the server exited: its stderr, else its log's fatal or error lines (the dev server logs JSON
 * lines on stdout: a port in use is one), else its exit code.
 */
function exitReason(server: StartingServer): string {
  const said = server.stderr.join('').trim();
  if (said) return said;
  const logged = server.stdout
    .join('')
    .split('\n')
    .flatMap((line) => {
      const entry = safeJson(line) as { level?: unknown; message?: unknown } | undefined;
      const fatal = entry?.level === 'FATAL' || entry?.level === 'ERROR';
      return fatal && typeof entry.message === 'string' ? [entry.message] : [];
    });
  if (logged.length > 0) return logged.slice(-3).join('; ');
  const { exitCode, signalCode } = server.child;
  return `it printed no reason (${signalCode ? `signal ${signalCode}` : `exit code ${exitCode}`})`;
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function startHint(server: StartingServer): string {
  const said = server.stderr.join('').trim();
  const base = 'on a busy machine, give it longer (startTimeoutMs)';
  return said ? `${base}; the server said: ${said}` : base;
}

function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
}
