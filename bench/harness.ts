import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer } from '../client/runtime/devServer';
import { temporalExecutable } from '../client/runtime/temporalCli';
import { bundleCouncilWorkflows } from '../workers/worker';
import type { BenchOptions } from './options';
import { describeMachine, type MachineDescription } from './machine';
import { BenchWorker, startMockLlm, type MockLlm } from './processes';
import type { WorkerProcessConfig } from './workerProcess';

/** Model latencies the mock LLM serves: `bench-0ms` and `bench-1000ms`. */
export const MODEL_LATENCIES_MS = [0, 1000];

/** A participant's model with a fixed latency, served by the bench's mock LLM. */
export function benchModel(latencyMs: number) {
  return { provider: 'openai', model: `bench-${latencyMs}ms` } as const;
}

/** A participant's model that answers `bytes` bytes (unique per call) at once. */
export function benchLargeModel(bytes: number) {
  return { provider: 'openai', model: `bench-large-${bytes}` } as const;
}

/** The Temporal service a measurement runs on: the dev server, or the services of a cluster. */
export interface BenchServer {
  address: string;
  namespace: string;
  /** Each server process (name -> pid) whose CPU and memory, with its children's, count as the server's. */
  processes: Record<string, number>;
}

/** Everything the measurements share: one server, one bundle, one LLM server, one client. */
export interface BenchContext {
  options: BenchOptions;
  machine: MachineDescription;
  server: BenchServer;
  serverStorage: string;
  client: Client;
  mock: MockLlm;
  bundlePath: string;
  bundleMs: number;
  dir: string;
  log(line: string): void;
  /** A fresh worker process on its own task queue, with the bench's worker options. */
  startWorker(
    label: string,
    extra?: Partial<WorkerProcessConfig> & { metrics?: boolean },
  ): Promise<BenchWorker & { taskQueue: string }>;
  close(): Promise<void>;
}

export async function createBenchContext(options: BenchOptions): Promise<BenchContext> {
  const benchStart = performance.now();
  const log = (line: string) =>
    process.stderr.write(`[bench ${((performance.now() - benchStart) / 1000).toFixed(1)}s] ${line}\n`);
  const machine = describeMachine(temporalExecutable());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'council-bench-'));
  const dbFile = options.db === 'sqlite' ? path.join(dir, 'temporal.sqlite') : undefined;
  log(`starting the dev server (${dbFile ? 'SQLite, journal_mode=WAL' : 'in-memory'}), bundling, mock LLM`);
  const bundleStart = performance.now();
  const [server, bundle, mock] = await Promise.all([
    startDevServer({ dbFile, startTimeoutMs: 60_000, dynamicConfig: options.serverConfig }),
    bundleCouncilWorkflows(),
    startMockLlm(MODEL_LATENCIES_MS),
  ]);
  const bundleMs = performance.now() - bundleStart;
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  log(`dev server at ${server.address}, bundle ${(bundle.code.length / 1024).toFixed(0)} KiB`);
  const devServer: BenchServer = {
    address: server.address,
    namespace: server.namespace,
    processes: { 'dev server': server.pid },
  };
  const shared = { options, machine, mock, bundlePath, bundleMs, dir, log };
  return {
    ...onServer(shared, devServer, client),
    serverStorage: dbFile ? 'SQLite file (journal_mode=WAL)' : 'in-memory',
    async close() {
      await connection.close();
      await mock.stop();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let workers = 0;

/**
 * The context's measurements pointed at another server (a cluster) with a client of it; the mock
 * LLM and the bundle stay shared. Closing it closes nothing: its caller owns server and client.
 */
export function onServer(
  ctx: Pick<BenchContext, 'options' | 'machine' | 'mock' | 'bundlePath' | 'bundleMs' | 'dir' | 'log'>,
  server: BenchServer,
  client: Client,
): BenchContext {
  const { options, mock, bundlePath } = ctx;
  return {
    ...ctx,
    server,
    serverStorage: '',
    client,
    async startWorker(label, extra = {}) {
      workers += 1;
      const taskQueue = `bench-${label}-${workers}`;
      const worker = await BenchWorker.start(
        {
          address: server.address,
          namespace: server.namespace,
          taskQueue,
          bundlePath,
          ...(options.maxConcurrentCalls && { maxConcurrentCalls: options.maxConcurrentCalls }),
          ...(options.workerOverrides && { overrides: options.workerOverrides }),
          ...extra,
        },
        mock.url,
        options.profile ? path.join(options.outDir, 'profiles', label) : undefined,
      );
      return Object.assign(worker, { taskQueue });
    },
    close: async () => undefined,
  };
}
