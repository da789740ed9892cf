import type { Client } from '@temporalio/client';
import {
  useDurableEnvironment,
  type DurableEnvironment,
  type DurableEnvironmentOptions,
} from './environment';
import { killServerHard, startDurableServer, startWorkerProcess, type WorkerProcess } from './processes';
import { connectTo } from './temporal';

/** A durability environment whose Temporal server a test kills and starts again. */
export interface ServerKillEnvironment extends DurableEnvironment {
  /** The queue the worker process polls. */
  taskQueue: string;
  /** The worker process, polling before the first test. */
  worker: WorkerProcess;
  /** SIGKILLs the server process (no shutdown of any kind); resolves once it is dead. */
  killServer(): Promise<void>;
  /**
   * Starts the server again on the same port and SQLite file (`server` is then the new one) and
   * resolves with a new client on it; the worker process and `client` reconnect on their own.
   */
  restartServer(): Promise<Client>;
}

/**
 * Registers {@link useDurableEnvironment}'s set-up plus a worker process polling `taskQueue`, ready
 * before the first test; the clients `restartServer` makes are closed after the file's tests.
 */
export function useServerKillEnvironment(
  options: DurableEnvironmentOptions & { taskQueue: string },
): ServerKillEnvironment {
  const environment = useDurableEnvironment(options) as ServerKillEnvironment;
  environment.taskQueue = options.taskQueue;
  const fresh: Client[] = [];
  environment.killServer = () => killServerHard(environment.server);
  environment.restartServer = async () => {
    const port = Number(environment.server.address.split(':').pop());
    const dbFile = environment.dbFile;
    ({ server: environment.server } = await startDurableServer({ ...options.server, port, dbFile }));
    const client = await connectTo(environment.server.address, options.dataConverter);
    fresh.push(client);
    return client;
  };
  beforeAll(async () => {
    const { address } = environment.server;
    const llmUrl = environment.mock.url;
    environment.worker = startWorkerProcess({
      address,
      taskQueue: options.taskQueue,
      llmUrl,
      tag: 'worker-1',
    });
    await environment.worker.ready;
  });
  afterAll(() => Promise.allSettled(fresh.map((client) => client.connection.close())));
  return environment;
}
