import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../client/runtime/freePort';
import { cpuSeconds, rssMiB } from './machine';
import type { WorkerMemory, WorkerProcessConfig } from './workerProcess';

/** Forks a TypeScript entry of bench/ under tsx, with an IPC channel. */
export function forkBench(file: string, env: Record<string, string>, execArgv: string[] = []): ChildProcess {
  return fork(path.join(__dirname, file), [], {
    execArgv: ['--import', 'tsx', ...execArgv],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The next IPC message of a type, or an error if the child exits first. */
export function nextMessage<T>(child: ChildProcess, type: string, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no "${type}" message in ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: { type: string }) => {
      if (message.type === type) done(undefined, message as T);
    };
    const onExit = (code: number | null) => done(new Error(`child exited (${code}) before "${type}"`));
    const done = (error?: Error, value?: T) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(value as T);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Ends a child and waits for it; SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.connected) child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** The aimock LLM server, in its own process. */
export interface MockLlm {
  url: string;
  pid: number;
  stats(since?: number): Promise<{ requests: number; arrivals: Array<{ at: number; speaker: string }> }>;
  stop(): Promise<void>;
}

export async function startMockLlm(latenciesMs: number[]): Promise<MockLlm> {
  const child = forkBench('mockServer.ts', { BENCH_MOCK_LATENCIES: latenciesMs.join(',') });
  const { url } = await nextMessage<{ url: string }>(child, 'ready');
  return {
    url,
    pid: child.pid ?? -1,
    async stats(since = 0) {
      const reply = nextMessage<{ requests: number; arrivals: Array<{ at: number; speaker: string }> }>(
        child,
        'stats',
      );
      child.send({ type: 'stats', since });
      return reply;
    },
    stop: () => stopChild(child),
  };
}

/** Sums and counts of the worker's Prometheus histograms, by metric name. */
export type WorkerMetrics = Record<string, { sum: number; count: number }>;

/** One council worker in its own process; see workerProcess.ts. */
export class BenchWorker {
  private peakRss = 0;
  private sampler: NodeJS.Timeout | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly startupMs: number,
    private readonly metricsPort: number | undefined,
  ) {}

  static async start(
    config: Omit<WorkerProcessConfig, 'metricsPort'> & { metrics?: boolean },
    mockUrl: string,
    profileDir?: string,
  ): Promise<BenchWorker> {
    const metricsPort = config.metrics ? await freePort() : undefined;
    const child = forkBench(
      'workerProcess.ts',
      {
        BENCH_WORKER: JSON.stringify({ ...config, metricsPort }),
        OPENAI_BASE_URL: `${mockUrl}/v1`,
        OPENAI_API_KEY: 'bench-key',
      },
      ['--expose-gc', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    );
    const { startupMs } = await nextMessage<{ startupMs: number }>(child, 'ready');
    return new BenchWorker(child, startupMs, metricsPort);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  cpuSeconds(): number {
    return cpuSeconds(this.pid);
  }

  /** The worker's memory; after a full GC when `gc` (perturbs timing: not during a measured phase). */
  async memory(gc = false): Promise<WorkerMemory> {
    const reply = nextMessage<{ memory: WorkerMemory }>(this.child, 'memory');
    this.child.send({ type: 'memory', gc });
    return (await reply).memory;
  }

  /** Samples RSS from /proc every `intervalMs`; {@link peakRssMiB} is the largest seen. */
  sampleRss(intervalMs = 250): void {
    this.sampler = setInterval(() => (this.peakRss = Math.max(this.peakRss, rssMiB(this.pid))), intervalMs);
  }

  peakRssMiB(): number {
    return Math.max(this.peakRss, rssMiB(this.pid));
  }

  async metrics(): Promise<WorkerMetrics> {
    if (!this.metricsPort) return {};
    const text = await (await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`)).text();
    const metrics: WorkerMetrics = {};
    for (const line of text.split('\n')) {
      const match = /^(temporal_\w+)_(sum|count)(?:\{[^}]*\})? ([\d.e+-]+)$/.exec(line);
      if (!match) continue;
      const [, name, kind, value] = match as unknown as [string, string, 'sum' | 'count', string];
      const entry = (metrics[name] ??= { sum: 0, count: 0 });
      entry[kind] += Number(value);
    }
    return metrics;
  }

  /** SIGKILL, as a crash would. */
  async kill(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    if (this.child.connected) this.child.send({ type: 'stop' });
    await stopChild(this.child, 15_000);
  }
}
