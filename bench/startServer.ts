/**
 * The start bench's third scenario: `council run --simulate` in a data directory where `council server
 * --worker` already runs. The run reuses the published server (no server start or stop of its own)
 * and leaves its calls to the server's simulated worker, which server.json names; the table's Worker
 * column says which worker served each call (a run's own would show if it started one).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../client/runtime/freePort';

/** How long `council server --worker` may take to have its simulated worker polling. */
const SERVER_READY_MS = 60_000;
/** How long its graceful stop may take before it is killed. */
const SERVER_STOP_MS = 15_000;

/** A `council server --worker` process for the bench. */
export interface BenchServer {
  pid: number;
  stop(): Promise<void>;
}

/** Starts `node cli server --worker` on free ports in `env`'s data directory; resolves once its simulated worker polls. */
export async function startCouncilServer(cli: string, env: NodeJS.ProcessEnv): Promise<BenchServer> {
  const args = [cli, 'server', '--worker', '--port', String(await freePort())];
  args.push('--ui-port', String(await freePort()));
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out = (out + chunk.toString()).slice(-4000)));
  child.stderr.on('data', (chunk: Buffer) => (out = (out + chunk.toString()).slice(-4000)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(`not ready within ${SERVER_READY_MS} ms`), SERVER_READY_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`start bench: council server --worker ${why}: ${out}`));
    };
    child.once('exit', (code) => fail(`exited (${code})`));
    child.stdout.on('data', () => {
      if (!out.includes('simulated worker polling')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve();
    });
  });
  return { pid: child.pid ?? -1, stop: () => stopServer(child) };
}

/**
 * SIGINT (its Ctrl-C: workers drain, then the server stops), SIGKILL past {@link SERVER_STOP_MS}. Its
 * exit is polled by pid: under tsx the child's 'exit' event was seen not to arrive.
 */
async function stopServer(child: ChildProcess): Promise<void> {
  const pid = child.pid ?? -1;
  child.kill('SIGINT');
  if (await gone(pid, SERVER_STOP_MS)) return;
  child.kill('SIGKILL');
  if (!(await gone(pid, SERVER_STOP_MS))) throw new Error(`start bench: council server ${pid} did not exit`);
}

async function gone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** Which process served a run's calls, from the pids in its table's Worker column (`pid@host`). */
export function servedBy(
  output: string,
  runPid: number,
  serverPid: number,
): 'run' | 'server' | 'both' | 'unknown' {
  const pids = new Set([...output.matchAll(/│\s*(\d+)@[^\s│]+\s*│\s*$/gm)].map((m) => Number(m[1])));
  const run = pids.has(runPid);
  const server = pids.has(serverPid);
  if (run && server) return 'both';
  return run ? 'run' : server ? 'server' : 'unknown';
}
