import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { CouncilUserError } from '../../common/userError';

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
  /** The epoch ms by which it must serve, and the budget that deadline came from (for the error). */
  deadline: number;
  timeoutMs: number;
}

/** Between polls of a port or an RPC; short, since a start takes about a second. */
const POLL_INTERVAL_MS = 100;
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

/** Resolves once the server printed its banner; throws when it exits or the deadline passes. */
export async function waitForAnnouncement(server: StartingServer): Promise<void> {
  while (Date.now() < server.deadline) {
    throwIfExited(server);
    if (BANNER.test(server.stdout.join(''))) return;
    await pause();
  }
  throw new CouncilUserError(
    `The Temporal dev server for ${server.address} did not report its ports bound within ${server.timeoutMs} ms`,
    startHint(server),
  );
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
 * Resolves once the server answers DescribeNamespace for each of its namespaces. An open port alone is
 * not enough: the frontend binds it before it serves, and namespaces are created after that.
 */
export async function waitUntilServing(server: StartingServer): Promise<void> {
  // Loaded here, not at the top: `council run` spawns the server before the Temporal SDK loads.
  const { Connection } = await import('@temporalio/client');
  const connection = Connection.lazy({ address: server.address });
  let lastError: unknown;
  try {
    while (Date.now() < server.deadline) {
      throwIfExited(server);
      const attemptDeadline = Math.min(server.deadline, Date.now() + RPC_ATTEMPT_MS);
      try {
        await connection.withDeadline(attemptDeadline, () =>
          Promise.all(
            server.namespaces.map((namespace) => connection.workflowService.describeNamespace({ namespace })),
          ),
        );
        return;
      } catch (error) {
        lastError = error;
      }
      await pause();
    }
  } finally {
    await connection.close();
  }
  const reason = lastError instanceof Error ? `: ${lastError.message.split('\n')[0]}` : '';
  throw new CouncilUserError(
    `The Temporal dev server on ${server.address} accepted connections but did not answer ` +
      `DescribeNamespace (${server.namespaces.join(', ')}) within ${server.timeoutMs} ms${reason}`,
    startHint(server),
  );
}

function throwIfExited(server: StartingServer): void {
  if (server.child.exitCode === null && server.child.signalCode === null) return;
  throw new CouncilUserError(`The Temporal dev server exited at start: ${server.stderr.join('').trim()}`);
}

function startHint(server: StartingServer): string {
  const said = server.stderr.join('').trim();
  const base = 'on a busy machine, give it longer (startTimeoutMs)';
  return said ? `${base}; the server said: ${said}` : base;
}

function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
}
