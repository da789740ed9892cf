import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleCachePath } from '../../../client/runtime/bundle';
import { startDevServer, type DevServer, type DevServerOptions } from '../../../client/runtime/devServer';
import { testEnvironment } from '../../helpers/testEnv';
import { isAlive, waitFor } from '../../helpers/wait';

const ROOT = path.resolve(__dirname, '../../..');
const SETPRIV = '/usr/bin/setpriv';

/** A child OS process of a test: a worker or the CLI, in a process group of its own. */
export interface ManagedProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  /** When it was spawned (ms since epoch). */
  spawnedAt: number;
  /** Everything it wrote, stdout and stderr interleaved. */
  output(): string;
  stdout(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILLs its whole process group; resolves once the process has exited. */
  kill(): Promise<void>;
}

const live = new Set<ManagedProcess>();

// A test that throws, or a jest worker that exits, must not leave a worker polling on: the
// afterAll hooks call killAllProcesses(), and this catches an exit that skipped them.
process.on('exit', () => {
  for (const managed of live) killGroup(managed.pid);
});

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * Starts `node --import tsx <args>` detached (its own process group, so a kill reaches anything it
 * forks) and, where util-linux's setpriv exists, with a parent-death signal: if this jest worker is
 * itself SIGKILLed, the kernel kills the child too, and no worker outlives the test run.
 */
export function spawnManaged(name: string, args: string[], env: Record<string, string>): ManagedProcess {
  const node = [process.execPath, '--import', 'tsx', ...args];
  const [command, ...argv] = existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'KILL', '--', ...node] : node;
  const child = spawn(command as string, argv, {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let all = '';
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    all += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => (all += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const managed: ManagedProcess = {
    name,
    pid: child.pid ?? -1,
    child,
    spawnedAt: Date.now(),
    output: () => all,
    stdout: () => out,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) killGroup(managed.pid);
      await exited;
    },
  };
  live.add(managed);
  void exited.then(() => live.delete(managed));
  return managed;
}

/** SIGKILLs every process the test file started and waits for each to exit. */
export async function killAllProcesses(): Promise<void> {
  await Promise.all([...live].map((managed) => managed.kill()));
}

/** The environment of the machine minus any Temporal, provider or council settings of its own. */
export function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(TEMPORAL_|OPENAI_|ANTHROPIC_|GEMINI_|COUNCIL_)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

/**
 * A data directory whose bundle cache holds the jest run's workflow bundle, so `council worker` and
 * the CLI start without spending seconds of CPU bundling the same code again.
 */
export function seededDataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'council-durability-'));
  const cached = bundleCachePath(dir);
  mkdirSync(path.dirname(cached), { recursive: true });
  copyFileSync(testEnvironment().bundlePath, cached);
  return dir;
}

/** What a worker process needs to know. */
export interface WorkerProcessOptions {
  address: string;
  taskQueue: string;
  /** Base URL of the mock LLM (its `url`). */
  llmUrl: string;
  /**
   * Sent as the OpenAI-Organization header (the SDK reads OPENAI_ORG_ID): aimock's journal redacts
   * Authorization, so this is how a test tells which worker process made a call.
   */
  tag: string;
  /**
   * `cli`: `council worker` with a pre-seeded bundle cache (fast start). `main`: workers/main.ts,
   * the container's entry, which bundles the workflow code at start-up like a fresh deploy.
   */
  entry?: 'cli' | 'main';
  /** Extra environment, e.g. COUNCIL_BLOB_STORE and COUNCIL_BLOB_DIR. */
  env?: Record<string, string>;
}

/** A worker process, and when it started polling. */
export interface WorkerProcess extends ManagedProcess {
  tag: string;
  /** Resolves (ms since epoch) when the worker logs that it polls; rejects if it exits first. */
  ready: Promise<number>;
}

/** Starts a real long-lived council worker as a separate OS process. */
export function startWorkerProcess(options: WorkerProcessOptions): WorkerProcess {
  const entry = options.entry ?? 'cli';
  const env = cleanEnv({
    TEMPORAL_ADDRESS: options.address,
    TEMPORAL_NAMESPACE: 'default',
    COUNCIL_TASK_QUEUE: options.taskQueue,
    COUNCIL_SHUTDOWN_GRACE_MS: '1000',
    OPENAI_API_KEY: `key-${options.tag}`,
    OPENAI_ORG_ID: options.tag,
    OPENAI_BASE_URL: `${options.llmUrl}/v1`,
    ANTHROPIC_API_KEY: `key-${options.tag}`,
    ANTHROPIC_BASE_URL: options.llmUrl,
    ...(entry === 'cli' ? { COUNCIL_DATA_DIR: seededDataDir() } : {}),
    ...options.env,
  });
  const args = entry === 'cli' ? ['client/cli/main.ts', 'worker'] : ['workers/main.ts'];
  const managed = spawnManaged(`worker ${options.tag}`, args, env);
  const ready = new Promise<number>((resolve, reject) => {
    const check = () => {
      if (managed.output().includes('council worker polling')) resolve(Date.now());
    };
    managed.child.stdout?.on('data', check);
    managed.child.stderr?.on('data', check);
    void managed.exited.then(({ code, signal }) =>
      reject(new Error(`${managed.name} exited (${code ?? signal}) before polling:\n${managed.output()}`)),
    );
  });
  // A worker killed on purpose later must not surface as an unhandled rejection.
  ready.catch(() => undefined);
  return Object.assign(managed, { tag: options.tag, ready });
}

/** A dev server on a SQLite file of its own, for a test that kills and restarts it. */
export async function startDurableServer(
  options: Omit<DevServerOptions, 'dbFile'> & { dbFile?: string } = {},
): Promise<{ server: DevServer; dbFile: string }> {
  const dbFile =
    options.dbFile ??
    path.join(mkdtempSync(path.join(os.tmpdir(), 'council-durability-db-')), 'temporal.sqlite');
  const server = await startDevServer({ ...options, dbFile });
  return { server, dbFile };
}

/**
 * SIGKILLs the `temporal` server process itself (a child of the bash guard startDevServer runs) and
 * the guard's stdin watcher, then waits until the guard has exited: the server is dead, not stopping.
 */
export async function killServerHard(server: DevServer): Promise<void> {
  const children = childrenOf(server.pid);
  const temporalPid = children.find((pid) => commandOf(pid) === 'temporal');
  if (temporalPid === undefined) throw new Error(`no temporal process under guard ${server.pid}`);
  for (const pid of children) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await waitFor(
    'the dev server process to exit',
    () => !isAlive(server.pid) && !isAlive(temporalPid),
    10_000,
  );
}

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function commandOf(pid: number): string {
  try {
    return execFileSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

export { waitFor };
