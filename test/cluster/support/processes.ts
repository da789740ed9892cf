import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isRunning, waitFor } from '../../helpers/wait';

const SETPRIV = '/usr/bin/setpriv';
/** The output a process keeps for error messages: its last 64 KiB. */
const OUTPUT_LIMIT = 64 * 1024;

/** A server process of the cluster (PostgreSQL or one Temporal service), in a process group of its own. */
export interface ClusterProcess {
  name: string;
  pid: number;
  /** Its last 64 KiB of stdout and stderr. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** False once the leader has exited. */
  running(): boolean;
  /**
   * Resolves once `text` appears in its output; rejects, with the output, if it exits first or
   * `timeoutMs` passes.
   */
  waitForOutput(text: string, timeoutMs: number): Promise<void>;
  /** SIGKILLs the whole group (a postmaster and its backends alike); resolves once all of it is gone. */
  kill(): Promise<void>;
  /** SIGTERMs the leader, SIGKILLs the group after `graceMs`; resolves once all of it is gone. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ClusterProcess>();

// A jest worker that exits without its afterAll hooks still takes its servers with it; a SIGKILLed
// one does too, through the parent-death signal below.
process.on('exit', () => {
  for (const managed of live) signalGroup(managed.pid, 'SIGKILL');
});

/**
 * Starts `command` in a process group of its own (detached) under util-linux's setpriv, which gives it
 * a parent-death signal: if this jest worker dies, even by SIGKILL, the kernel SIGKILLs the process
 * (test/durability/support/processes.ts does the same for worker processes). With `user`, it runs as
 * that system user (PostgreSQL refuses to run as root).
 */
export function spawnClusterProcess(
  name: string,
  command: string,
  args: string[],
  options: { env: Record<string, string>; cwd: string; user?: string },
): ClusterProcess {
  if (!existsSync(SETPRIV)) throw new Error(`${SETPRIV} (util-linux) is required to tie ${name} to the test`);
  const identity = options.user ? ['--reuid', options.user, '--regid', options.user, '--init-groups'] : [];
  const child = spawn(SETPRIV, [...identity, '--pdeathsig', 'KILL', '--', command, ...args], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const pid = child.pid ?? -1;
  // PostgreSQL's children each make a session of their own (so the postmaster can signal their
  // groups): they are not in this group, and they exit on their own once the postmaster is dead.
  // Those alive when the kill is sent are waited for too, or a restart finds their shared memory.
  let children: number[] = [];
  const gone = async () => {
    await exited;
    await waitFor(
      `the processes of ${name} to exit`,
      () => groupMembers(pid).length === 0 && children.every((child) => !isRunning(child)),
      15_000,
    );
  };
  const managed: ClusterProcess = {
    name,
    pid,
    output: () => output,
    exited,
    running: () => child.exitCode === null && child.signalCode === null,
    async waitForOutput(text, timeoutMs) {
      await waitFor(
        `${name} to print "${text}"`,
        () => {
          if (output.includes(text)) return true;
          if (!managed.running()) throw new Error(`${name} exited before printing "${text}"`);
          return false;
        },
        timeoutMs,
      ).catch((error: unknown) => {
        throw new Error(`${error instanceof Error ? error.message : String(error)}; its output:\n${output}`);
      });
    },
    async kill() {
      children = childrenOf(pid);
      signalGroup(pid, 'SIGKILL');
      await gone();
    },
    async stop(graceMs = 10_000) {
      children = childrenOf(pid);
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      signalGroup(pid, 'SIGKILL');
      await gone();
    },
  };
  live.add(managed);
  void exited.then(() => live.delete(managed));
  return managed;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** The live child processes of `pid`. */
export function childrenOf(pid: number): number[] {
  let listing: string;
  try {
    listing = execFileSync('ps', ['-o', 'pid=,stat=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there are none
  }
  return listing
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([child, stat]) => child && !stat?.startsWith('Z'))
    .map(([child]) => Number(child));
}

/** Live (not zombie) processes of a process group, from /proc via ps. */
export function groupMembers(pgid: number): number[] {
  let listing: string;
  try {
    listing = execFileSync('ps', ['-e', '-o', 'pid=,pgid=,stat='], { encoding: 'utf8' });
  } catch {
    return [];
  }
  return listing
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, group, stat]) => Number(group) === pgid && !stat?.startsWith('Z'))
    .map(([pid]) => Number(pid));
}
