import { Worker, bundleWorkflowCode, type NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import type { DataConverter, Duration } from '@temporalio/common';
import { DEFAULT_TASK_QUEUE, LIMITS } from '../common/defaults';
import { STREAM_LIMITS } from '../common/stream';
import type { LlmActivities } from '../activities';

/** Options for a council worker. */
export interface CouncilWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  activities: LlmActivities;
  /**
   * A bundle made once with {@link bundleCouncilWorkflows}, with the failure converter of
   * `dataConverter`; bundled on the spot (with it) when omitted.
   */
  workflowBundle?: WorkflowBundle;
  /** LLM calls are I/O bound: many can run at once. */
  maxConcurrentActivityTaskExecutions?: number;
  /** How long in-flight LLM calls may take to finish on shutdown. */
  shutdownGraceTime?: Duration;
  identity?: string;
  /**
   * The most often one call's heartbeat (with its streamed text) reaches the server; lower shows
   * tokens sooner and costs the server more writes (docs/streaming.md). STREAM_LIMITS.heartbeatThrottleMs by default.
   */
  heartbeatThrottleMs?: number;
  /**
   * How long a session's next workflow task waits on this worker's sticky queue before any worker may
   * take it; {@link DEFAULT_STICKY_QUEUE_TIMEOUT_MS} by default.
   */
  stickyQueueTimeoutMs?: number;
  /**
   * How many of the activities one workflow task schedules this worker takes at once, with the task's
   * completion (eager execution; the server must enable it); {@link DEFAULT_EAGER_ACTIVITY_RESERVATIONS} by default.
   */
  eagerActivityReservations?: number;
  /** council's converter with its blob store (storage/converter.ts); clients must use the same store. */
  dataConverter?: DataConverter;
  /**
   * Runs workflow code on this process's main thread rather than the SDK's worker thread, which
   * loads the Temporal SDK a second time (~0.3 s of a CLI run's start, docs/performance.md) while
   * the main thread waits. For a short-lived process serving its own run; a long-running worker
   * keeps the thread, so workflow code never holds up its activities and heartbeats.
   */
  workflowsOnMainThread?: boolean;
  /**
   * What this worker takes from its task queue: everything (the default); only workflow tasks and
   * queries (`workflows`: a command that reads or checks a run before its calls may go out; calls made
   * as local activities still run in its workflow tasks); or only model calls (`calls`, no workflow code).
   */
  serves?: WorkerPart;
}

/** What a worker takes from its task queue (see {@link CouncilWorkerOptions.serves}). */
export type WorkerPart = 'all' | 'workflows' | 'calls';

/** A workflow task's CPU limit before it counts as deadlocked: the SDK's own default. */
const WORKFLOW_TASK_CPU_LIMIT = '5s';

/**
 * The sticky queue's schedule-to-start timeout (the SDK's default is 10 s). When a worker dies, the
 * server still sends its sessions' next workflow tasks to its sticky queue for up to 10 s after its
 * last poll, and each such task waits this long there before another worker gets it (with a replay
 * of the history). 2 s keeps that wait short. A worker so busy that tasks wait longer on its own
 * sticky queue hands them to the shared queue, each with a timeout event and a full replay: raise
 * it (COUNCIL_STICKY_QUEUE_TIMEOUT_MS) for workers that run near full CPU (docs/performance.md).
 */
export const DEFAULT_STICKY_QUEUE_TIMEOUT_MS = 2_000;

/**
 * Eager activity slots per workflow task (the SDK's default is 3): as many as a round has calls
 * (LIMITS.maxParticipants), so a broadcast's calls all start with the workflow task that schedules
 * them instead of one poll each, which spread 16 starts over ~60-200 ms (docs/performance.md). Its
 * cost: those calls run on the worker that ran the workflow task, not spread over other replicas.
 */
export const DEFAULT_EAGER_ACTIVITY_RESERVATIONS = LIMITS.maxParticipants;

/** Path of the module that exports every council workflow. */
export const WORKFLOWS_PATH = require.resolve('../workflows');

/** What changes a workflow bundle besides the workflow code. */
export interface CouncilBundleOptions {
  /**
   * The failure converter workflow code uses (DataConverter.failureConverterPath): with encryption on,
   * storage/failureConverter.ts, so failures raised in workflow code are encrypted too.
   */
  failureConverterPath?: string;
}

/**
 * The workflow bundle's source map (webpack's `devtool`): inline, where the SDK requires it, with
 * every mapping but without the sources' text. The SDK decodes the map at every worker start (and,
 * given the bundle as code, encodes it again); with the sources' text, the SDK's default map was
 * 3.7 MB (2.8 MB decoded) of a 5.7 MB bundle. Stack traces keep their TypeScript file, line and
 * column. A map by line only would be smaller still, but names the wrong line for code that the
 * compiler puts on one line (a call spread over several lines, a comment's end and a declaration).
 */
export const WORKFLOW_SOURCE_MAP = 'inline-nosources-source-map';

/**
 * Bundles the workflow code once, for reuse by many workers. Its source map holds no sources' text
 * ({@link WORKFLOW_SOURCE_MAP}): a worker given this bundle with the SDK's `showStackTraceSources`
 * gets stack traces without the sources.
 */
export async function bundleCouncilWorkflows(options: CouncilBundleOptions = {}): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: quietBundlerLogger,
    webpackConfigHook: (config) => ({ ...config, devtool: WORKFLOW_SOURCE_MAP }),
    ...(options.failureConverterPath ? { failureConverterPath: options.failureConverterPath } : {}),
  });
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

/** Creates (but does not run) a worker serving council workflows and LLM activities. */
export async function createCouncilWorker(options: CouncilWorkerOptions): Promise<Worker> {
  const failureConverterPath = options.dataConverter?.failureConverterPath;
  const serves = options.serves ?? 'all';
  const bundle =
    serves === 'calls'
      ? undefined
      : (options.workflowBundle ??
        (await bundleCouncilWorkflows(failureConverterPath ? { failureConverterPath } : {})));
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    ...(bundle && { workflowBundle: bundle }),
    activities: options.activities,
    enableNonLocalActivities: serves !== 'workflows',
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 200,
    shutdownGraceTime: options.shutdownGraceTime ?? '30s',
    // Heartbeats carry the streamed text watchers show, and cancellation reaches an activity only in
    // a heartbeat reply: the default throttle (80% of the heartbeat timeout) would hold both for seconds.
    maxHeartbeatThrottleInterval: options.heartbeatThrottleMs ?? STREAM_LIMITS.heartbeatThrottleMs,
    defaultHeartbeatThrottleInterval: options.heartbeatThrottleMs ?? STREAM_LIMITS.heartbeatThrottleMs,
    stickyQueueScheduleToStartTimeout: options.stickyQueueTimeoutMs ?? DEFAULT_STICKY_QUEUE_TIMEOUT_MS,
    maxEagerActivityReservationsPerWorkflowTask:
      options.eagerActivityReservations ?? DEFAULT_EAGER_ACTIVITY_RESERVATIONS,
    ...(options.identity ? { identity: options.identity } : {}),
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    // The SDK's `debugMode` is its main-thread mode; it also lifts the deadlock limit, kept here.
    ...(options.workflowsOnMainThread && bundle
      ? { debugMode: true, isolateExecutionTimeout: WORKFLOW_TASK_CPU_LIMIT }
      : {}),
  });
}
