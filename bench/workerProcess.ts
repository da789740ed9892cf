/**
 * Child process: one council worker, built by the project's own createCouncilWorker with the real
 * LLM activities over provider clients from the environment (as workers/main.ts does), on a
 * workflow bundle made once by the parent. Reports over IPC: {type:'ready'} once polling, memory on
 * {type:'memory'}, stops on {type:'stop'} or when the parent goes away.
 *
 * BENCH_WORKER holds a JSON {@link WorkerProcessConfig}. `overrides` exists for tuning experiments
 * only: extra Worker.create options laid over the ones createCouncilWorker sets.
 */
import { readFileSync } from 'node:fs';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createLlmActivities, providerClientsFromEnv } from '../activities';
import { councilDataConverter, openBlobStore } from '../storage/converter';
import { blobStoreSettingsSchema, type BlobStoreSettingsInput } from '../storage/settings';
import { createCouncilWorker } from '../workers/worker';

export interface WorkerProcessConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  bundlePath: string;
  maxConcurrentCalls?: number;
  metricsPort?: number;
  overrides?: Partial<WorkerOptions>;
  /** Large payloads to this blob store (client and worker must agree); none when unset. */
  blobStore?: BlobStoreSettingsInput;
}

export interface WorkerMemory {
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
}

const MiB = 2 ** 20;

async function main(): Promise<void> {
  const started = performance.now();
  const config = JSON.parse(process.env.BENCH_WORKER ?? '{}') as WorkerProcessConfig;
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    ...(config.metricsPort && {
      telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${config.metricsPort}` } } },
    }),
  });
  if (config.overrides) applyOverrides(config.overrides);
  const connection = await NativeConnection.connect({ address: config.address });
  const worker = await createCouncilWorker({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    activities: createLlmActivities(providerClientsFromEnv(process.env)),
    workflowBundle: { code: readFileSync(config.bundlePath, 'utf8') },
    ...(config.maxConcurrentCalls && { maxConcurrentActivityTaskExecutions: config.maxConcurrentCalls }),
    shutdownGraceTime: '1s',
    ...(config.blobStore && {
      dataConverter: councilDataConverter(openBlobStore(blobStoreSettingsSchema.parse(config.blobStore))),
    }),
  });
  const run = worker.run();
  process.on('message', (message: { type: string; gc?: boolean }) => {
    // Forked with --expose-gc: a full collection first makes heap figures retained memory.
    if (message.type === 'memory' && message.gc) (globalThis as { gc?: () => void }).gc?.();
    if (message.type === 'memory') process.send?.({ type: 'memory', memory: memory() });
    if (message.type === 'stop') worker.shutdown();
  });
  process.on('disconnect', () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  });
  process.send?.({ type: 'ready', startupMs: performance.now() - started });
  await run;
  await connection.close();
  process.exit(0);
}

function memory(): WorkerMemory {
  const usage = process.memoryUsage();
  return {
    rssMiB: usage.rss / MiB,
    heapUsedMiB: usage.heapUsed / MiB,
    externalMiB: (usage.external + usage.arrayBuffers) / MiB,
  };
}

/** Experiments only: every Worker.create in this process gets the overrides on top. */
function applyOverrides(overrides: Partial<WorkerOptions>): void {
  const create = Worker.create.bind(Worker);
  Worker.create = (options: WorkerOptions) => create({ ...options, ...overrides });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench worker: ${String(error)}\n`);
  process.exit(1);
});
