import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { IllegalStateError } from '@temporalio/common';
import { Runtime, type Worker } from '@temporalio/worker';
import { ConciseLogger } from '../../workers/conciseLogger';
import { createLlmActivities, providerClientsFromEnv, type LlmActivities } from '../../activities';
import { DEFAULT_TASK_QUEUE } from '../../common/defaults';
import { CouncilUserError } from '../../common/userError';
import { zodProblem } from '../../common/validation';
import { blobStoreFromEnv } from '../../storage';
import { connectWorker } from '../../workers/connection';
import { localTarget } from '../../workers/target';
import { createCouncilWorker } from '../../workers/worker';
import { cachedWorkflowBundle } from './bundle';
import { dataDirectory, openLocalServer } from './localServer';
import { closeLocalServer } from './localServerClose';
import { simulatedQueue } from './commandRuntime';
import { connectClient } from './connection';
import { startSimulatedProviders } from '../simulation/simulatedProviders';
import { ServerGoneError, ServerLoss } from './serverLoss';
import { serverGoneMessage, watchServerProcess } from './serverWatch';

/** Options of `Council.local` (client/api/local.ts). */
export interface LocalCouncilOptions {
  /** Where the dev server's SQLite file, blobs and bundle cache live (default ~/.council, COUNCIL_DATA_DIR). */
  dataDir?: string;
  /** Answer every call from a local mock LLM server (needs the optional @copilotkit/aimock), not a model. */
  simulate?: boolean;
  /**
   * The queue the in-process worker polls (default "council"); simulating, this name with
   * "-simulated" after it, as `council.taskQueue` says: start runs there (the Council's own methods do).
   */
  taskQueue?: string;
  /** LLM activities to serve instead of ones made from OPENAI_API_KEY, ANTHROPIC_API_KEY, ... */
  activities?: LlmActivities;
}

/** The options checked as they come, from JavaScript too: a typo or a wrong type starts nothing. */
const localOptionsSchema = z
  .object({
    dataDir: z
      .string()
      .min(1, 'dataDir is empty: name a directory, or leave it out for ~/.council')
      .optional(),
    simulate: z.boolean().optional(),
    taskQueue: z
      .string()
      .min(1, 'taskQueue is empty: name a queue, or leave it out for "council"')
      .optional(),
    activities: z
      .custom<LlmActivities>((value) => typeof value === 'object' && value !== null, {
        message: 'activities must be the object createLlmActivities returns',
      })
      .optional(),
  })
  .strict();

/** What {@link openLocalRuntime} opened: a client on its server, the queue its worker polls, and how to close it all. */
export interface LocalRuntime {
  client: Client;
  taskQueue: string;
  /** Stops the worker, then closes the connections, the blob store, the mock and the dev server. */
  release: () => Promise<void>;
  /** Runs a call that waits on a workflow's result: it fails at once should the server be lost. */
  guard: ServerLoss['guard'];
}

/**
 * An embedded Temporal dev server (the data directory's running one, e.g. `council server`'s, if any)
 * and a worker in this process; on a failure part way, what was already opened is closed again.
 */
export async function openLocalRuntime(given: LocalCouncilOptions): Promise<LocalRuntime> {
  const checked = localOptionsSchema.safeParse(given);
  if (!checked.success) {
    throw new CouncilUserError(`invalid Council.local() options: ${zodProblem(checked.error)}`);
  }
  const options: LocalCouncilOptions = checked.data;
  const dataDir = dataDirectory(options.dataDir);
  const server = await openLocalServer(dataDir);
  const opened: Array<() => Promise<void> | void> = [() => closeLocalServer(dataDir, server)];
  const release = () => closeAll(opened.reverse());
  try {
    const blobs = blobStoreFromEnv(process.env, { dataDir });
    opened.push(() => blobs.close());
    const mock = options.simulate ? await startSimulatedProviders() : undefined;
    if (mock) opened.push(() => mock.stop());
    const target = localTarget(server);
    // Installed only now: the SDK's runtime keeps the process alive until its last connection closes,
    // so a failure before the first one must not leave it installed.
    quietRuntime();
    const connection = await connectWorker(target);
    opened.push(() => connection.close());
    const base = options.taskQueue ?? DEFAULT_TASK_QUEUE;
    const taskQueue = mock ? simulatedQueue(base) : base;
    const worker = await createCouncilWorker({
      connection,
      namespace: server.namespace,
      taskQueue,
      activities:
        options.activities ?? mock?.activities ?? createLlmActivities(providerClientsFromEnv(process.env)),
      workflowBundle: await cachedWorkflowBundle(dataDir),
      shutdownGraceTime: '2s',
      dataConverter: blobs.dataConverter,
    });
    const running = worker.run();
    // A worker that dies fails close() (below), not the process as an unhandled rejection.
    running.catch(() => undefined);
    // Warnings about a lost server are dropped until its worker has stopped, not for the process's life.
    let keepEntries = (): void => undefined;
    opened.push(() => keepEntries());
    opened.push(() => stopWorker(worker, running));
    const loss = new ServerLoss();
    const client = await connectClient(target, blobs.dataConverter, loss);
    opened.push(() => client.connection.close());
    opened.push(
      watchServerProcess(server, dataDir, (why) => {
        const hint = `what ran on it is kept in ${dataDir}: open Council.local() on it again to go on`;
        const error = new ServerGoneError(serverGoneMessage(target.address, why), hint);
        Runtime.instance().logger.error(`council: ${error.toOneLine()}`);
        keepEntries = embeddedLogger?.dropEntriesAbout(target.address) ?? keepEntries;
        loss.declare(error);
        // Its polls would be retried, each retry a warning, until the SDK gave up on the worker.
        if (worker.getState() === 'RUNNING') worker.shutdown();
      }),
    );
    return { client, taskQueue, release, guard: (call) => loss.guard(call) };
  } catch (error) {
    await release();
    throw error;
  }
}

/** The logger {@link quietRuntime} installed, unless the application installed a Runtime of its own first. */
let embeddedLogger: ConciseLogger | undefined;

/**
 * The SDK logs every worker state change at INFO: an embedded worker logs at WARN instead, unless the
 * application installed its own Runtime (or started a worker) first. No signal handlers of the SDK's
 * own: they took the application's first Ctrl-C or SIGTERM to stop the worker alone, and the process,
 * its calls waiting on that worker, never exited. The application decides what a signal means; by
 * default Node exits, and the server's guard stops the server once this process is gone.
 */
function quietRuntime(): void {
  try {
    const logger = new ConciseLogger('WARN');
    Runtime.install({
      logger,
      // The core's entries (its retries' warnings) through the same logger, at the SDK's default levels.
      telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
      shutdownSignals: [],
    });
    embeddedLogger = logger;
  } catch (error) {
    if (!(error instanceof IllegalStateError)) throw error;
  }
}

/** Runs every step, even after one fails, and then throws the first failure. */
async function closeAll(steps: Array<() => Promise<void> | void>): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}

async function stopWorker(worker: Worker, running: Promise<void>): Promise<void> {
  if (worker.getState() === 'RUNNING') worker.shutdown();
  await running;
}
