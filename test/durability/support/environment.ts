import type { LLMock } from '@copilotkit/aimock';
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { DevServer, DevServerOptions } from '../../../client/runtime/devServer';
import { answerWithLatency, startMock, type Answerer, type AnswerText } from './llm';
import {
  killAllProcesses,
  startDurableServer,
  startWorkerProcess,
  type WorkerProcess,
  type WorkerProcessOptions,
} from './processes';
import { connectTo } from './temporal';

/** What a durability test file works with; filled in before its first test runs. */
export interface DurableEnvironment {
  mock: LLMock;
  answerer: Answerer;
  server: DevServer;
  /** The server's SQLite file: a server started again on it has every workflow the first one had. */
  dbFile: string;
  client: Client;
}

/** How {@link useDurableEnvironment} sets up the mock and the server. */
export interface DurableEnvironmentOptions {
  latencyMs: number;
  hold?: (speaker: string, nth: number, model: string) => boolean;
  server?: Omit<DevServerOptions, 'dbFile'>;
  answer?: AnswerText;
  dataConverter?: DataConverter;
}

/**
 * Registers the set-up every durability file shares: an aimock answering after `latencyMs` (holding
 * the calls `hold` names), a dev server on its own SQLite file, a client; and the tear-down that
 * kills every process the file started. `answer` sets what participants say; `dataConverter` is the
 * client's (e.g. a blob store's). Read the fields inside tests, not at file level.
 */
export function useDurableEnvironment(options: DurableEnvironmentOptions): DurableEnvironment {
  const environment = {} as DurableEnvironment;
  beforeAll(async () => {
    environment.mock = await startMock();
    environment.answerer = answerWithLatency(
      environment.mock,
      options.latencyMs,
      options.hold,
      options.answer,
    );
    ({ server: environment.server, dbFile: environment.dbFile } = await startDurableServer(options.server));
    environment.client = await connectTo(environment.server.address, options.dataConverter);
  });
  afterAll(async () => {
    await killAllProcesses();
    await environment.client?.connection.close();
    await environment.server?.stop();
    await environment.mock?.stop();
  });
  return environment;
}

/** A worker process of a durability test that polls: its queue, and when it began to poll (ms since epoch). */
export type PollingWorker = WorkerProcess & { taskQueue: string; readyAt: number };

/** Which entry a worker process runs and its extra environment (see {@link WorkerProcessOptions}). */
export type PollingWorkerOptions = Pick<WorkerProcessOptions, 'entry' | 'env'>;

/**
 * Starts a worker process on the environment's server and mock, serving `taskQueue`, tagged `tag`
 * (the mock's journal names each call's worker by it); resolves once it polls.
 */
export async function startPollingWorker(
  environment: DurableEnvironment,
  taskQueue: string,
  tag: string,
  options: PollingWorkerOptions = {},
): Promise<PollingWorker> {
  const worker = startWorkerProcess({
    address: environment.server.address,
    taskQueue,
    llmUrl: environment.mock.url,
    tag,
    ...options,
  });
  return Object.assign(worker, { taskQueue, readyAt: await worker.ready });
}

/**
 * A kill test's hand-over: SIGKILLs `killed` (resolves only once it has exited), waits until
 * `notBefore` (ms since epoch) where a test needs time to pass with no worker running, then starts
 * `tag` on the same queue; resolves once the new worker polls. `killedAt` is when the old one was gone.
 */
export async function replaceWorker(
  environment: DurableEnvironment,
  killed: PollingWorker,
  tag: string,
  options: PollingWorkerOptions & { notBefore?: number } = {},
): Promise<{ killedAt: number; worker: PollingWorker }> {
  const { notBefore, ...workerOptions } = options;
  await killed.kill();
  const killedAt = Date.now();
  if (notBefore !== undefined) await new Promise((resolve) => setTimeout(resolve, notBefore - Date.now()));
  const worker = await startPollingWorker(environment, killed.taskQueue, tag, workerOptions);
  return { killedAt, worker };
}
