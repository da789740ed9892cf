import { Client, type Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { IllegalStateError } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { createLlmActivities, providerClientsFromEnv, type LlmActivities } from '../../activities';
import { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE } from '../../common/defaults';
import type { ConversationMessage, MessageFilter } from '../../common/conversation';
import type { ConversationStats } from '../../common/conversationStats';
import type { SavedConversation } from '../../common/savedConversation';
import type { SessionConfigInput } from '../../common/session';
import { blobStoreFromEnv } from '../../storage';
import { createCouncilWorker } from '../../workers/worker';
import { cachedWorkflowBundle } from '../runtime/bundle';
import { closeLocalServer, dataDirectory, openLocalServer } from '../runtime/localServer';
import { simulatedQueue } from '../runtime/commandRuntime';
import { connectClient } from '../runtime/connection';
import { queryRetryInterceptor } from '../runtime/queryRetry';
import { executeCouncilExperts, type CouncilRunOptions } from './council';
import { attachCouncil } from './councilAttach';
import {
  type CouncilCallbacks,
  type ExecutionContext,
  type ExecutionResult,
  type OnExpertUpdate,
  type OnStatusUpdate,
} from './councilTypes';
import { councilMessages, councilStats } from './conversation';
import { saveConversation } from './conversationFile';
import { MultiParticipantSession, type StartSessionOptions } from './session';
import { startSimulatedProviders } from '../simulation/simulatedProviders';

/** Options of {@link Council.local}. */
export interface LocalCouncilOptions {
  /** Where the dev server's SQLite file, blobs and bundle cache live (default ~/.council, COUNCIL_DATA_DIR). */
  dataDir?: string;
  /** Answer every call from a local mock LLM server (needs the optional @copilotkit/aimock), not a model. */
  simulate?: boolean;
  /** The queue the in-process worker polls (default "council", "council-simulated" when simulating). */
  taskQueue?: string;
  /** LLM activities to serve instead of ones made from OPENAI_API_KEY, ANTHROPIC_API_KEY, ... */
  activities?: LlmActivities;
}

/** Options of {@link Council.connect}: a cluster that your own workers (or `council worker`) serve. */
export interface ConnectCouncilOptions {
  connection: Connection;
  namespace?: string;
  /** The queue council's workers poll (default "council"). */
  taskQueue?: string;
  /** The converter council's workers use (e.g. `blobStoreFromEnv(process.env).dataConverter`). */
  dataConverter?: DataConverter;
}

/**
 * A council client: sessions and councils on one Temporal target and task queue. {@link Council.local}
 * brings its own dev server and worker; {@link Council.connect} uses a cluster. Everything after that one
 * call is the same code. Close it (`await council.close()`, or `await using council = ...`).
 */
export class Council implements AsyncDisposable {
  private closing: Promise<void> | undefined;

  private constructor(
    readonly client: Client,
    readonly taskQueue: string,
    private readonly release: () => Promise<void>,
  ) {}

  /**
   * An embedded Temporal dev server (the data directory's running one, e.g. `council server`'s, if any)
   * and a worker in this process. Sessions survive a restart: open the same `dataDir` again.
   */
  static async local(options: LocalCouncilOptions = {}): Promise<Council> {
    const dataDir = dataDirectory(options.dataDir);
    quietRuntime();
    const server = await openLocalServer(dataDir);
    const opened: Array<() => Promise<void> | void> = [() => closeLocalServer(dataDir, server)];
    const release = () => closeAll(opened.reverse());
    try {
      const blobs = blobStoreFromEnv(process.env, { dataDir });
      opened.push(() => blobs.close());
      const mock = options.simulate ? await startSimulatedProviders() : undefined;
      if (mock) opened.push(() => mock.stop());
      const connection = await NativeConnection.connect({ address: server.address });
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
      opened.push(() => stopWorker(worker, running));
      const { address, namespace } = server;
      const target = { address, namespace, connectConfig: { connectionOptions: { address }, namespace } };
      const client = await connectClient(target, blobs.dataConverter);
      opened.push(() => client.connection.close());
      return new Council(client, taskQueue, release);
    } catch (error) {
      await release();
      throw error;
    }
  }

  /** A cluster (or any server) whose workers poll `taskQueue`; closing leaves `connection` open. */
  static connect(options: ConnectCouncilOptions): Council {
    const client = new Client({
      connection: options.connection,
      namespace: options.namespace ?? DEFAULT_NAMESPACE,
      interceptors: { workflow: [queryRetryInterceptor(options.connection)] },
      ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    });
    return new Council(client, options.taskQueue ?? DEFAULT_TASK_QUEUE, async () => undefined);
  }

  /** Starts a session on this council's queue (see {@link MultiParticipantSession.create}). */
  startSession(
    config: SessionConfigInput,
    options: StartSessionOptions = {},
  ): Promise<MultiParticipantSession> {
    return MultiParticipantSession.create(this.client, config, { taskQueue: this.taskQueue, ...options });
  }

  /** A running session by id. */
  attachSession(sessionId: string): Promise<MultiParticipantSession> {
    return MultiParticipantSession.attach(this.client, sessionId);
  }

  /** Runs a council to its end on this council's queue (see {@link executeCouncilExperts}). */
  executeCouncilExperts(
    context: ExecutionContext,
    onExpertUpdate?: OnExpertUpdate,
    onStatusUpdate?: OnStatusUpdate,
    options: Pick<CouncilRunOptions, 'councilId' | 'continueFrom'> = {},
  ): Promise<ExecutionResult> {
    const runOptions = { taskQueue: this.taskQueue, ...options };
    return executeCouncilExperts(this.client, context, onExpertUpdate, onStatusUpdate, runOptions);
  }

  /** Follows a council by id to its result (see {@link attachCouncil}). */
  attachCouncil(councilId: string, callbacks: CouncilCallbacks = {}): Promise<ExecutionResult> {
    return attachCouncil(this.client, councilId, callbacks);
  }

  /** A council's messages, each with its round, that `filter` keeps (by type, sender, recipient, round). */
  councilMessages(councilId: string, filter: MessageFilter = {}): Promise<ConversationMessage[]> {
    return councilMessages(this.client, councilId, filter);
  }

  /** A council's communication patterns (messages per expert and type, who answers whom, rounds). */
  councilStats(councilId: string): Promise<ConversationStats> {
    return councilStats(this.client, councilId);
  }

  /** Saves a council's conversation to a JSON file a later council can go on from (`continueFrom`). */
  saveConversation(councilId: string, file: string, filter: MessageFilter = {}): Promise<SavedConversation> {
    return saveConversation(this.client, councilId, file, filter);
  }

  /**
   * Stops the worker (calls in flight get 2 s), then closes the connections and the dev server this
   * call started. Running sessions stay in Temporal and go on when a worker serves them again.
   */
  close(): Promise<void> {
    this.closing ??= this.release();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * The SDK logs every worker state change at INFO: an embedded worker logs at WARN instead, unless the
 * application installed its own Runtime (or started a worker) first.
 */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
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
