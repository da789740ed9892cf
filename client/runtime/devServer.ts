import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import path from 'node:path';
import { SEARCH_ATTRIBUTE_TYPES, SEARCH_ATTRIBUTES } from '../../common/defaults';
import { spawnGuarded, stopChild } from './devServerProcess';
import { waitForPort, waitUntilServing, type StartingServer } from './devServerReady';
import { CouncilUserError } from '../../common/userError';
import { freePort } from './freePort';
import { NAMESPACE_REFRESH_MS } from './devServerRetention';
import { missingTemporalCli, temporalExecutable } from './temporalCli';
import { makeDirectory } from '../../storage/directories';

/** Options for the embedded `temporal server start-dev`. */
export interface DevServerOptions {
  /** SQLite file for persistence across restarts; omit for an in-memory server. */
  dbFile?: string;
  /** gRPC port on 127.0.0.1; a free one is picked when omitted. */
  port?: number;
  /** Serve the Web UI on this port (0 picks a free one); omit for headless. */
  uiPort?: number;
  namespace?: string;
  /** More namespaces to create at start, each with council's search attributes. */
  extraNamespaces?: string[];
  /**
   * Extra `--dynamic-config-value KEY=JSON` pairs, e.g. to lower continue-as-new thresholds in tests;
   * laid over {@link DEV_SERVER_DYNAMIC_CONFIG}.
   */
  dynamicConfig?: Record<string, unknown>;
  /** Path of the `temporal` binary; defaults to the one scripts/install-temporal.sh installs. */
  executable?: string;
  /** How long to wait, in ms, for the server to answer gRPC calls in its namespaces (and its UI to listen). */
  startTimeoutMs?: number;
  /** Called once the server process is spawned (each attempt), before it serves: its boot can overlap other work. */
  onSpawn?: () => void;
}

/** A running embedded dev server. */
export interface DevServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  /** Where it serves its Prometheus metrics. */
  metricsUrl: string;
  /** Where it serves Temporal's HTTP API, to clients on this machine only (see DEV_SERVER_DYNAMIC_CONFIG). */
  httpApiUrl: string;
  pid: number;
  startMs: number;
  /** Stops it gracefully (SIGKILL past a grace time); resolves once it has exited. */
  stop(): Promise<void>;
  /** Asks it to stop gracefully and returns at once: its guard waits for the exit (see serverStopping.ts). */
  beginStop(): void;
}

/**
 * A start fails when a port it was given is taken between being picked and being bound: by our own
 * freePort() pick or by the CLI's own pick of its HTTP and internal ports, raced by any process that
 * starts at the same moment (tests start servers side by side). Such a start is made again on fresh ports.
 */
const START_ATTEMPTS = 4;

/**
 * The dynamic config council's dev server always gets. Eager activity execution lets a worker take
 * the activities a workflow task schedules in that task's completion reply, with no poll each: a
 * broadcast round's calls all start at once (docs/performance.md, issue 20 target 2). The timer
 * queue's time shift (1 s by default) is the least delay of any server timer: a heartbeat timeout
 * re-armed by a beat and the retry after it each waited up to a second more. A call on a killed
 * worker was made again 1.4 s after its heartbeat timeout and retry interval; 0.5 s at 100 ms
 * (docs/performance.md, Recovery; issue 20 target 4). The HTTP API, which the dev server always
 * opens and which takes no credential, answers only requests addressed to this machine by name: a
 * web page whose DNS name was rebound to 127.0.0.1 sends its own name as Host, and is refused
 * (docs/security.md). Each pattern ends at the port, so `127.0.0.1.evil.example` matches neither.
 * Namespaces are read again every NAMESPACE_REFRESH_MS (devServerRetention.ts).
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, unknown>> = {
  'system.enableActivityEagerExecution': true,
  'history.timerProcessorMaxTimeShift': '100ms',
  'frontend.httpAllowedHosts': ['127.0.0.1:*', 'localhost:*'],
  'system.namespaceCacheRefreshInterval': `${NAMESPACE_REFRESH_MS}ms`,
};

/**
 * Starts `temporal server start-dev` on 127.0.0.1 and resolves once it answers gRPC calls in each of its
 * namespaces (and its UI, if any, accepts connections); throws a CouncilUserError after `startTimeoutMs`.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const executable = options.executable ?? temporalExecutable();
  if (!existsSync(executable)) throw missingTemporalCli(executable);
  if (options.dbFile) makeDirectory(path.dirname(options.dbFile));
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    const ports = {
      port: options.port ?? (await freePort()),
      // Left to the CLI, these would be picked in the range the OS hands out (see freePort).
      httpPort: await freePort(),
      metricsPort: await freePort(),
      uiPort: options.uiPort === 0 ? await freePort() : options.uiPort,
    };
    try {
      const server = await startOnce(executable, options, ports);
      return { ...server, startMs: Date.now() - started };
    } catch (error) {
      if (attempt >= START_ATTEMPTS || !isPortTaken(error)) throw error;
    }
  }
}

/** Whether the dev server could not start because a port it was given is taken. */
export function isPortTaken(error: unknown): boolean {
  return error instanceof CouncilUserError && error.message.includes('address already in use');
}

async function startOnce(
  executable: string,
  options: DevServerOptions,
  {
    port,
    httpPort,
    metricsPort,
    uiPort,
  }: { port: number; httpPort: number; metricsPort: number; uiPort?: number },
): Promise<Omit<DevServer, 'startMs'>> {
  const namespace = options.namespace ?? 'default';
  const namespaces = [namespace, ...(options.extraNamespaces ?? [])];
  const args = serverArgs(port, namespaces, options);
  args.push('--http-port', String(httpPort), '--metrics-port', String(metricsPort));
  if (uiPort !== undefined) args.push('--ui-port', String(uiPort));
  else args.push('--headless');

  const child = spawnGuarded(executable, args);
  options.onSpawn?.();
  const stdout: string[] = [];
  const stderr: string[] = [];
  const keepStdout = (chunk: Buffer): number => stdout.push(chunk.toString());
  const keepStderr = (chunk: Buffer): number => stderr.push(chunk.toString());
  child.stdout?.on('data', keepStdout);
  child.stderr?.on('data', keepStderr);
  const address = `127.0.0.1:${port}`;
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  const starting: StartingServer = {
    child,
    address,
    namespaces,
    stdout,
    stderr,
    keepsRuns: options.dbFile !== undefined,
    deadline: Date.now() + timeoutMs,
    timeoutMs,
  };
  try {
    await waitUntilServing(starting);
    // The UI listens a moment after gRPC; a printed UI address must already answer.
    if (uiPort !== undefined) await waitForPort(starting, uiPort);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  // Kept only to explain a failed start: a server that runs for days would otherwise pile up its logs
  // here. The streams keep flowing without the listeners, so its pipes never fill.
  child.stdout?.off('data', keepStdout);
  child.stderr?.off('data', keepStderr);
  return {
    address,
    namespace,
    uiUrl: uiPort !== undefined ? `http://127.0.0.1:${uiPort}` : undefined,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    httpApiUrl: `http://127.0.0.1:${httpPort}`,
    pid: child.pid ?? -1,
    stop: () => stopChild(child),
    beginStop: () => {
      child.kill('SIGTERM');
      // Neither it nor its pipes keep this process alive: the guard outlives us and waits for the server.
      child.unref();
      for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as Socket | null)?.unref();
    },
  };
}

function serverArgs(port: number, namespaces: string[], options: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port)];
  for (const name of namespaces) args.push('--namespace', name);
  args.push('--log-level', 'error');
  if (options.dbFile) {
    // WAL with synchronous=NORMAL survives a crash of the server process (only an OS crash or power
    // loss can lose the last commits) and halves the server's CPU per turn (see docs/performance.md).
    args.push('--db-filename', options.dbFile);
    args.push('--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL');
  }
  for (const [key, name] of Object.entries(SEARCH_ATTRIBUTES)) {
    const type = SEARCH_ATTRIBUTE_TYPES[key as keyof typeof SEARCH_ATTRIBUTES];
    args.push('--search-attribute', `${name}=${type}`);
  }
  for (const [key, value] of Object.entries({ ...DEV_SERVER_DYNAMIC_CONFIG, ...options.dynamicConfig })) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  return args;
}
