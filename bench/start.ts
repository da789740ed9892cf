/**
 * Start: `council run --simulate` of one 2-participant round from a fresh process, as a user runs
 * it (the built CLI, dist/client/cli/main.js: `npm run build` first), with a warm data directory
 * (used before), with a fresh one (no database yet) and in a data directory where `council server
 * --worker` runs (startServer.ts), against `node -e ""` in the same run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchContext } from './harness';
import { servedBy, startCouncilServer } from './startServer';

const CLI = path.resolve(__dirname, '../dist/client/cli/main.js');
/** One bounded CLI run: a round of the simulated mock takes well under a second. */
const RUN_TIMEOUT_MS = 60_000;

/** When one process printed its first line and its first answer, and when it exited (ms after spawn). */
export interface StartTimes {
  firstLineMs: number;
  firstAnswerMs: number;
  exitMs: number;
}

export interface StartResult {
  samples: number;
  /** Median wall time of `node -e ""`: Node's own start, the baseline. */
  nodeMs: number;
  /** Medians over the samples. */
  warm: StartTimes;
  fresh: StartTimes;
  /** Warm, with `council server --worker` running in the data directory (the run borrows its server). */
  withServer: StartTimes;
  /** How many of those runs had their calls served by the run's own worker, the server's, or both. */
  withServerServedBy: Record<string, number>;
}

/** A timed process's times, its pid and what it printed. */
interface TimedRun extends StartTimes {
  pid: number;
  output: string;
}

/** Spawns `node args…` and times its first stdout line, first simulated answer and exit. */
function timeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const times = { firstLineMs: Number.NaN, firstAnswerMs: Number.NaN };
    // Bounded: one simulated round prints a few kilobytes.
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-64_000);
      const now = performance.now() - started;
      if (Number.isNaN(times.firstLineMs) && out.includes('\n')) times.firstLineMs = now;
      if (Number.isNaN(times.firstAnswerMs) && /^\(simulated\) /m.test(out)) times.firstAnswerMs = now;
    });
    child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-2000)));
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${err}`));
      else resolve({ ...times, exitMs: performance.now() - started, pid: child.pid ?? -1, output: out });
    });
  });
}

/** The CLI's environment: no keys (so it simulates), no cluster, the given data directory. */
function cliEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(TEMPORAL_|OPENAI_|ANTHROPIC_|GEMINI_|COUNCIL_)/.test(key)) env[key] = value;
  }
  return { ...env, COUNCIL_DATA_DIR: dataDir, NO_COLOR: '1' };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)] ?? Number.NaN);
};

function medians(runs: StartTimes[]): StartTimes {
  return {
    firstLineMs: median(runs.map((r) => r.firstLineMs)),
    firstAnswerMs: median(runs.map((r) => r.firstAnswerMs)),
    exitMs: median(runs.map((r) => r.exitMs)),
  };
}

export async function measureStart(ctx: BenchContext): Promise<StartResult> {
  if (!existsSync(CLI)) throw new Error(`start: ${CLI} is missing: run \`npm run build\` first`);
  const samples = ctx.options.quick ? 3 : 5;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'council-bench-start-'));
  const run = ['run', '--simulate', 'How fast does council start?'];
  const node: number[] = [];
  const warm: StartTimes[] = [];
  const fresh: StartTimes[] = [];
  const withServer: StartTimes[] = [];
  const servedCounts: Record<string, number> = {};
  const serverDir = path.join(scratch, 'server');
  // Idle between its runs, it stays up through every sample so the interleaving holds.
  const server = await startCouncilServer(CLI, cliEnv(serverDir));
  try {
    const warmDir = path.join(scratch, 'warm');
    await timeProcess([CLI, ...run], cliEnv(warmDir)); // makes the warm data directory
    await timeProcess([CLI, ...run], cliEnv(serverDir)); // the same for the server's
    // Interleaved, so a burst of load elsewhere weighs on every kind alike.
    for (let i = 0; i < samples; i += 1) {
      node.push((await timeProcess(['-e', ''], process.env)).exitMs);
      warm.push(await timeProcess([CLI, ...run], cliEnv(warmDir)));
      fresh.push(await timeProcess([CLI, ...run], cliEnv(path.join(scratch, `fresh-${i}`))));
      const served = await timeProcess([CLI, ...run], cliEnv(serverDir));
      withServer.push(served);
      const by = servedBy(served.output, served.pid, server.pid);
      servedCounts[by] = (servedCounts[by] ?? 0) + 1;
      ctx.log(`  start sample ${i + 1}/${samples}: warm ${Math.round(warm[i]?.exitMs ?? 0)} ms`);
    }
  } finally {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  return {
    samples,
    nodeMs: median(node),
    warm: medians(warm),
    fresh: medians(fresh),
    withServer: medians(withServer),
    withServerServedBy: servedCounts,
  };
}
