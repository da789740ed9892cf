import { Runtime, type WorkflowBundle } from '@temporalio/worker';
import { z } from 'zod';
import {
  createLlmActivities,
  loadProviderPolicy,
  missingProviderKeys,
  providerClientsFromEnv,
} from '../activities';
import { DEFAULT_TASK_QUEUE } from '../common/defaults';
import { STREAM_LIMITS } from '../common/stream';
import { readableIssues } from '../common/validation';
import { connectWorker } from './connection';
import { configuredTarget, type TemporalTarget } from './target';
import { CouncilUserError, userErrorIn } from '../common/userError';
import { blobStoreFromEnv } from '../storage';
import { createCouncilWorker, DEFAULT_STICKY_QUEUE_TIMEOUT_MS } from './worker';
import { ConciseLogger } from './conciseLogger';

/** How a long-lived worker runs; every field also has an env var (see {@link workerSettingsFromEnv}). */
export const workerSettingsSchema = z.object({
  taskQueue: z.string().trim().min(1, 'the task queue name is empty').default(DEFAULT_TASK_QUEUE),
  /** LLM calls this worker runs at once; they are I/O bound, so well above the core count. */
  maxConcurrentCalls: z.coerce
    .number({ error: 'must be a whole number, e.g. 200' })
    .int('must be a whole number, e.g. 200')
    .min(1, 'must be at least 1')
    .max(10_000)
    .default(200),
  /** How long in-flight calls may take to finish after SIGINT/SIGTERM before they are cancelled. */
  shutdownGraceMs: z.coerce
    .number({ error: 'must be a whole number of milliseconds, e.g. 30000' })
    .int('must be a whole number of milliseconds, e.g. 30000')
    .min(0, 'must be at least 0 ms')
    .default(30_000),
  /** The most often a streaming call's heartbeat (its text so far) reaches the server. */
  heartbeatThrottleMs: z.coerce
    .number({ error: 'must be a whole number of milliseconds, e.g. 200' })
    .int('must be a whole number of milliseconds, e.g. 200')
    .min(10, 'must be at least 10 ms')
    .max(60_000, 'must be at most 60000 ms')
    .default(STREAM_LIMITS.heartbeatThrottleMs),
  /** How long a workflow task waits on this worker's sticky queue before any worker may take it. */
  stickyQueueTimeoutMs: z.coerce
    .number({ error: 'must be a whole number of milliseconds, e.g. 2000' })
    .int('must be a whole number of milliseconds, e.g. 2000')
    .min(100, 'must be at least 100 ms')
    .max(600_000, 'must be at most 600000 ms')
    .default(DEFAULT_STICKY_QUEUE_TIMEOUT_MS),
});
export type WorkerSettings = z.infer<typeof workerSettingsSchema>;
export type WorkerSettingsInput = z.input<typeof workerSettingsSchema>;

/**
 * COUNCIL_TASK_QUEUE, COUNCIL_MAX_CONCURRENT_CALLS, COUNCIL_SHUTDOWN_GRACE_MS,
 * COUNCIL_HEARTBEAT_THROTTLE_MS and COUNCIL_STICKY_QUEUE_TIMEOUT_MS, unset ones left out.
 */
export function workerSettingsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): WorkerSettingsInput {
  const settings: Record<string, string> = {};
  if (env.COUNCIL_TASK_QUEUE) settings.taskQueue = env.COUNCIL_TASK_QUEUE;
  if (env.COUNCIL_MAX_CONCURRENT_CALLS) settings.maxConcurrentCalls = env.COUNCIL_MAX_CONCURRENT_CALLS;
  if (env.COUNCIL_SHUTDOWN_GRACE_MS) settings.shutdownGraceMs = env.COUNCIL_SHUTDOWN_GRACE_MS;
  if (env.COUNCIL_HEARTBEAT_THROTTLE_MS) settings.heartbeatThrottleMs = env.COUNCIL_HEARTBEAT_THROTTLE_MS;
  if (env.COUNCIL_STICKY_QUEUE_TIMEOUT_MS)
    settings.stickyQueueTimeoutMs = env.COUNCIL_STICKY_QUEUE_TIMEOUT_MS;
  return settings as WorkerSettingsInput;
}

/** The settings `council worker` also takes as flags; every one has its COUNCIL_* variable. */
const WORKER_FLAGS: ReadonlySet<string> = new Set(['taskQueue', 'maxConcurrentCalls', 'shutdownGraceMs']);

/** A setting as a person sets it: `--max-concurrent-calls (COUNCIL_MAX_CONCURRENT_CALLS)`. */
function settingName(key: string, withFlags: boolean): string {
  const variable = `COUNCIL_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
  if (!withFlags || !WORKER_FLAGS.has(key)) return variable;
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} (${variable})`;
}

/**
 * Validated settings; a bad value is named by the flag (when `withFlags`, as `council worker` takes
 * them) and the variable it is set with, and quoted.
 */
export function parseWorkerSettings(input: WorkerSettingsInput, withFlags: boolean): WorkerSettings {
  const parsed = workerSettingsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = readableIssues(parsed.error, input).map(({ path, message }) => {
    const key = String(path[0] ?? '');
    const value = (input as Record<string, unknown>)[key];
    const got = typeof value === 'string' ? `; got ${JSON.stringify(value)}` : '';
    return `${settingName(key, withFlags)}: ${message}${got}`;
  });
  throw new CouncilUserError(`invalid worker settings: ${problems.join('; ')}`);
}

/**
 * Runs a council worker until SIGINT or SIGTERM. The SDK's runtime catches those signals and stops
 * polling; calls in flight get `shutdownGraceMs` to finish, so a deploy does not waste paid tokens.
 */
export async function runWorker(
  target: TemporalTarget,
  settings: WorkerSettings,
  options: {
    workflowBundle?: WorkflowBundle;
    log?: (line: string) => void;
    /** Where the embedded server keeps its files: the default blob store goes under it. */
    dataDir?: string;
  } = {},
): Promise<void> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  Runtime.install({ logger: new ConciseLogger('WARN') });
  for (const line of missingProviderKeys(process.env)) log(`warning: ${line}`);
  // Before connecting: a policy the operator got wrong stops the worker here, saying what is wrong.
  const policy = loadProviderPolicy(process.env);
  log(`provider policy (where keys may go): ${policy.describe()}`);
  const blobs = blobStoreFromEnv(process.env, options.dataDir ? { dataDir: options.dataDir } : {});
  const connection = await connectWorker(target);
  const worker = await createCouncilWorker({
    connection,
    namespace: target.namespace,
    taskQueue: settings.taskQueue,
    activities: createLlmActivities(providerClientsFromEnv(process.env), { policy }),
    // Without a bundle, createCouncilWorker bundles one with the converter's failure converter.
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}),
    maxConcurrentActivityTaskExecutions: settings.maxConcurrentCalls,
    shutdownGraceTime: settings.shutdownGraceMs,
    heartbeatThrottleMs: settings.heartbeatThrottleMs,
    stickyQueueTimeoutMs: settings.stickyQueueTimeoutMs,
    dataConverter: blobs.dataConverter,
  });
  const onSignal = (signal: string) =>
    log(`${signal}: stopping; calls in flight have ${settings.shutdownGraceMs / 1000} s to finish`);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  log(
    `council worker polling task queue "${settings.taskQueue}" on ${target.address} ` +
      `(namespace ${target.namespace}), up to ${settings.maxConcurrentCalls} concurrent calls, ` +
      `large payloads to ${blobs.store?.describe ?? 'nowhere (kept inline: COUNCIL_BLOB_STORE=none)'}`,
  );
  try {
    await worker.run();
  } finally {
    await connection.close();
    blobs.close();
    log('council worker stopped');
  }
}

/** `node dist/workers/main.js`: the worker of docker-compose, configured by environment only. */
async function main(): Promise<void> {
  const target = configuredTarget();
  if (!target)
    throw new CouncilUserError('TEMPORAL_ADDRESS is not set', 'e.g. TEMPORAL_ADDRESS=localhost:7233');
  await runWorker(target, parseWorkerSettings(workerSettingsFromEnv(process.env), false));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    const message = userErrorIn(error)?.toOneLine() ?? String(error);
    process.stderr.write(`council worker: ${message}\n`);
    process.exit(1);
  });
}
