import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { LlmActivities } from '../../activities';
import { queryRetryInterceptor } from '../../client/runtime/queryRetry';
import { createCouncilWorker, type WorkerPart } from '../../workers/worker';

/** The dynamic config of the shared test server: sessions are suggested to continue-as-new early. */
export const TEST_SERVER_DYNAMIC_CONFIG = { 'limit.historyCount.suggestContinueAsNew': 400 };

/**
 * Written by globalSetup, read by every test file. One file per jest run (the parent's pid, passed
 * to the test workers in the environment), so concurrent runs never read each other's server.
 */
export function testEnvFile(): string {
  const runId = process.env.COUNCIL_TEST_RUN ?? String(process.pid);
  return path.resolve(__dirname, `../../.council/test-env-${runId}.json`);
}

export interface TestEnvironmentInfo {
  address: string;
  namespace: string;
  /**
   * Where tests put encrypted runs: listing a namespace decodes every run's memo, and a client without
   * the keys cannot, so encrypted runs stay out of the namespace the other tests list.
   */
  encryptedNamespace: string;
  /**
   * Where the gc tests run: gc reads the history of every open or recent run of its namespace, and in
   * the shared one that is every other test's runs too (minutes of history in a full run).
   */
  gcNamespace: string;
  bundlePath: string;
  dir: string;
  /** The server's Prometheus metrics, for a test that checks what the server did (not what it recorded). */
  metricsUrl: string;
}

export function testEnvironment(): TestEnvironmentInfo {
  return JSON.parse(readFileSync(testEnvFile(), 'utf8')) as TestEnvironmentInfo;
}

let taskQueueCounter = 0;

/** A task queue no other test file uses. */
export function uniqueTaskQueue(label: string): string {
  taskQueueCounter += 1;
  return `test-${label}-${process.pid}-${taskQueueCounter}`;
}

/** A client and a worker on the shared dev server, using the bundle made once per run. */
export interface TemporalTestHarness {
  /** The converter worker and client use (a blob store, a codec), for replaying their histories. */
  dataConverter?: DataConverter;
  client: Client;
  worker: Worker;
  taskQueue: string;
  workerRun: Promise<void>;
  close(): Promise<void>;
}

let runtimeInstalled = false;

/** Worker logs at WARN, once per test process: INFO lines would drown the test output. */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  runtimeInstalled = true;
}

/** What a test may change in its harness: the blob store, or the queue (to restart a worker on it). */
export interface HarnessOptions {
  /** The Temporal server to use: the shared test server's address unless given. */
  address?: string;
  /** Given to the worker and the client alike (see storage/converter.ts). */
  dataConverter?: DataConverter;
  taskQueue?: string;
  /** The test environment's namespace unless given (e.g. its encryptedNamespace). */
  namespace?: string;
  /** The worker's identity, for a test that checks which worker made a call; the SDK's default unless given. */
  identity?: string;
  /** What the worker takes from its queue: all unless given (see createCouncilWorker). */
  serves?: WorkerPart;
}

export async function startHarness(
  label: string,
  activities: LlmActivities,
  options: HarnessOptions = {},
): Promise<TemporalTestHarness> {
  quietRuntime();
  const env = testEnvironment();
  const taskQueue = options.taskQueue ?? uniqueTaskQueue(label);
  const address = options.address ?? env.address;
  const workerConnection = await NativeConnection.connect({ address });
  const worker = await createCouncilWorker({
    connection: workerConnection,
    namespace: options.namespace ?? env.namespace,
    taskQueue,
    activities,
    workflowBundle: { code: readFileSync(env.bundlePath, 'utf8') },
    shutdownGraceTime: '1s',
    dataConverter: options.dataConverter,
    identity: options.identity,
    serves: options.serves,
  });
  const workerRun = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({
    connection,
    namespace: options.namespace ?? env.namespace,
    interceptors: { workflow: [queryRetryInterceptor(connection)] },
    dataConverter: options.dataConverter,
  });
  return {
    client,
    worker,
    taskQueue,
    workerRun,
    dataConverter: options.dataConverter,
    async close() {
      worker.shutdown();
      await workerRun;
      await workerConnection.close();
      await connection.close();
    },
  };
}
