import { ScheduleClient, type Client } from '@temporalio/client';
import { DEFAULT_TASK_QUEUE, SIMULATED_QUEUE_SUFFIX } from '../../common/defaults';
import { blobStoreFromEnv, councilDataConverter, type BlobStore } from '../../storage';
import { configuredTarget, connectClient, localTarget, type TemporalTarget } from './connection';
import { CouncilUserError } from '../../common/userError';
import type * as CliWorkerModule from './cliWorker';
import type { WorkerPart } from '../../workers/worker';
import type { EarlyServer } from './earlyServer';
import { dataDirectory, openLocalServer, type LocalServer } from './localServer';
import { closeLocalServer, sayWaitingForUsers } from './localServerClose';
import { exitWhenServerGone } from './serverWatch';

/** The connection options every command that talks to Temporal takes. */
export interface ConnectionFlags {
  profile?: string;
  dataDir?: string;
  taskQueue?: string;
  /** Run a worker in this process even against a configured cluster. */
  worker?: boolean;
}

/** What a command works with: a client, and the server and workers this process started. */
export interface CliRuntime {
  client: Client;
  address: string;
  namespace: string;
  dataDir: string;
  /** The task queue new workflows go to (--task-queue, COUNCIL_TASK_QUEUE, or "council"). */
  taskQueue: string;
  /** True when --task-queue or COUNCIL_TASK_QUEUE chose it. */
  taskQueueChosen: boolean;
  /** True on council's embedded server, where this process always runs the worker. */
  local: boolean;
  inProcessWorker: boolean;
  /**
   * What to do when the embedded server stops under this command, said then (e.g. the attach that
   * goes on with its run, or whether it started); by default, to run the command again.
   */
  lostHint: () => string;
  /** Where large payloads go (client and in-process workers alike); undefined keeps them inline. */
  blobStore: BlobStore | undefined;
  /**
   * Schedules whose payloads stay in the server, encrypted as the client's are: Temporal's own
   * scheduler reads a schedule's start arguments and memo, and cannot read a blob store's references.
   */
  inlineSchedules(): ScheduleClient;
  /**
   * Starts (once per queue and part) a worker in this process; simulated ones answer from a local
   * mock. `serves` (default all) lets a command serve a run's workflow before it lets its calls out.
   */
  startWorker(options: { taskQueue: string; simulated: boolean; serves?: WorkerPart }): Promise<void>;
  /** Whether this process serves (or was asked to serve) the model calls of `taskQueue`. */
  servesCalls(taskQueue: string): boolean;
  /**
   * Stops the workers and connections; an owned server is asked to stop, not waited for: exit next.
   * While other council processes borrow that server, it waits for them first.
   */
  close(): Promise<void>;
}

/**
 * Simulated runs get their own queue, so a real worker on the shared queue never picks them up, and
 * whoever serves the workflow later (attach, send) knows from the queue alone to simulate again.
 */
export function simulatedQueue(taskQueue: string): string {
  return `${taskQueue}${SIMULATED_QUEUE_SUFFIX}`;
}

export function isSimulatedQueue(taskQueue: string): boolean {
  return taskQueue.endsWith(SIMULATED_QUEUE_SUFFIX);
}

/** What a command's runtime is for. */
export interface RuntimeOptions {
  /**
   * A command that serves many runs for as long as it is up (`council ui`): its workers keep workflow
   * code off its main thread. Others follow one run and exit (workers/worker.ts says why that differs).
   */
  longRunning?: boolean;
  /** What the worker this command will start needs: loaded while a new server boots. */
  worker?: CliWorkerModule.WorkerNeeds;
}

/**
 * Connects to the configured cluster (envconfig: TEMPORAL_ADDRESS, profiles), or to the data
 * directory's embedded server: `early`'s (openLocalServerEarly, for the same flags), else started
 * if need be. Nothing else starts until a command asks.
 */
export async function openRuntime(
  flags: ConnectionFlags,
  early?: EarlyServer,
  options: RuntimeOptions = {},
): Promise<CliRuntime> {
  const dataDir = dataDirectory(flags.dataDir);
  const configured = configuredTarget(flags.profile);
  // While a new server boots (a second of its own process), this one loads the worker's modules.
  const workerModule = early?.booting ? loadWorkerModule(options.worker, dataDir) : undefined;
  let server: LocalServer | undefined;
  let target: TemporalTarget;
  if (configured) target = configured;
  else {
    server = await (early?.server ?? openLocalServer(dataDir));
    target = localTarget(server);
  }
  // The embedded server keeps large payloads in <dataDir>/blobs; a cluster uses COUNCIL_BLOB_STORE.
  const blobs = blobStoreFromEnv(process.env, server ? { dataDir } : {});
  const chosenQueue = flags.taskQueue ?? process.env.COUNCIL_TASK_QUEUE;
  const workers: CliWorkerModule.CliWorker[] = [];
  const started = new Set<string>();
  let client: Client;
  try {
    client = await connectClient(target, blobs.dataConverter);
  } catch (error) {
    blobs.close();
    if (server) await closeLocalServer(dataDir, server);
    throw error;
  }
  const runtime: CliRuntime = {
    client,
    address: target.address,
    namespace: target.namespace,
    dataDir,
    taskQueue: chosenQueue ?? DEFAULT_TASK_QUEUE,
    taskQueueChosen: chosenQueue !== undefined,
    local: server !== undefined,
    inProcessWorker: server !== undefined || flags.worker === true,
    lostHint: () => 'run the command again: it starts a new server',
    blobStore: blobs.store,
    inlineSchedules: () =>
      new ScheduleClient({
        connection: client.connection,
        namespace: target.namespace,
        dataConverter: councilDataConverter(undefined, blobs.codec),
      }),
    async startWorker({ taskQueue, simulated, serves: wanted = 'all' }) {
      const parts = (['workflows', 'calls'] as const).filter(
        (part) => (wanted === 'all' || wanted === part) && !started.has(`${taskQueue}#${part}`),
      );
      if (parts.length === 0) return;
      for (const part of parts) started.add(`${taskQueue}#${part}`);
      if (simulated && servedByPublisher(server, taskQueue, blobs.codec !== undefined)) return;
      const serves: WorkerPart = parts.length === 2 ? 'all' : parts[0]!;
      const { startCliWorker } = await (workerModule ?? loadWorkerModule());
      const dataConverter = blobs.dataConverter;
      const workflowsOnMainThread = !options.longRunning;
      const settings = {
        target,
        taskQueue,
        simulated,
        dataDir,
        dataConverter,
        workflowsOnMainThread,
        serves,
      };
      workers.push(await startCliWorker(settings));
    },
    servesCalls: (taskQueue) => started.has(`${taskQueue}#calls`),
    async close() {
      stopWatching();
      for (const { worker } of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await Promise.allSettled(workers.map(({ run }) => run));
      await client.connection.close();
      await Promise.allSettled(workers.map(({ mock }) => mock?.stop()));
      blobs.close();
      // Every command exits right after: the server's graceful stop (~1 s) goes on without it.
      const onWaitForUsers = sayWaitingForUsers((line) => process.stderr.write(`${line}\n`));
      if (server) await closeLocalServer(dataDir, server, { wait: false, onWaitForUsers });
    },
  };
  const stopWatching = server
    ? exitWhenServerGone(server, dataDir, target.address, () => runtime.lostHint())
    : () => {};
  return runtime;
}

async function loadWorkerModule(
  needs?: CliWorkerModule.WorkerNeeds,
  dataDir?: string,
): Promise<typeof CliWorkerModule> {
  const module = await import('./cliWorker');
  if (needs) await module.preloadWorker(needs, dataDir);
  return module;
}

/**
 * Whether the simulated worker that the borrowed server's process (`council server --worker`) runs
 * serves `taskQueue`, so this process need start none. Its worker lives and dies with that server,
 * unlike a poller the task queue lists (a worker stopped minutes ago is still listed). Only when
 * neither side encrypts payloads: a worker without this process's keys could not read its runs.
 */
function servedByPublisher(server: LocalServer | undefined, taskQueue: string, encrypted: boolean): boolean {
  const published = server?.simulatedWorker;
  return published?.taskQueue === taskQueue && !published.encrypted && !encrypted;
}

/**
 * The queue a new run goes on. A run that serves itself with real keys gets a queue of its own unless
 * one was chosen: on the shared queue another worker (`council server --worker`, without this shell's
 * keys) would take some of its calls. `council attach` reads the queue from the workflow, so it serves
 * such a run all the same. Simulated runs need no keys and stay on the shared simulated queue.
 */
export function runQueue(runtime: CliRuntime, id: string, simulated: boolean): string {
  if (simulated) return simulatedQueue(runtime.taskQueue);
  return runtime.inProcessWorker && !runtime.taskQueueChosen
    ? `${runtime.taskQueue}-${id}`
    : runtime.taskQueue;
}

/**
 * Fails when no worker polls the queue and this process runs none: the workflow would wait forever.
 */
export async function requireWorker(runtime: CliRuntime, taskQueue: string): Promise<void> {
  if (runtime.inProcessWorker || (await hasPollers(runtime, taskQueue))) return;
  throw new CouncilUserError(
    `no worker polls task queue "${taskQueue}" on ${runtime.address}`,
    'start one with `council worker`, or pass --worker to run one in this process',
  );
}

/** Whether a worker polls `taskQueue` (or did within the last minutes: the server lists it that long). */
export async function hasPollers(runtime: CliRuntime, taskQueue: string): Promise<boolean> {
  const response = await runtime.client.workflowService.describeTaskQueue({
    namespace: runtime.namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
  });
  return (response.pollers ?? []).length > 0;
}
