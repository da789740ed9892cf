import type { Command } from 'commander';
import { z } from 'zod';
import { parseWorkerSettings, runWorker, workerSettingsFromEnv } from '../../workers/main';
import type { DataConverter } from '@temporalio/common';
import type { WorkflowBundle } from '@temporalio/worker';
import { blobStoreFromEnv } from '../../storage';
import { createCouncilWorker } from '../../workers/worker';
import { connectWorker } from '../../workers/connection';
import type { TemporalTarget } from '../runtime/connection';
import { localTarget } from '../../workers/target';
import { CouncilUserError } from '../../common/userError';
import { startSimulatedProviders } from '../simulation/simulatedProviders';
import { cachedWorkflowBundle } from '../runtime/bundle';
import { dataDirectory, openLocalServer, publishSimulatedWorker } from '../runtime/localServer';
import { isPortTaken } from '../runtime/devServer';
import { closeLocalServer, whoElse } from '../runtime/localServerClose';
import { otherServerUsers } from '../runtime/serverLeases';
import { simulatedQueue } from '../runtime/commandRuntime';
import { listedCommand } from './help';

interface ServerOptions {
  dataDir?: string;
  port: string;
  uiPort: string;
  worker?: boolean;
}

/**
 * Serves the simulated queue too, so scheduled runs created without a key (simulated, like `run`)
 * get answers. The SDK's runtime stops it on SIGINT/SIGTERM along with the real worker.
 */
async function runSimulatedWorker(
  target: TemporalTarget,
  taskQueue: string,
  workflowBundle: WorkflowBundle,
  say: (line: string) => void,
  blobs: { dataConverter: DataConverter; encrypted: boolean; dataDir: string },
): Promise<void> {
  const { dataConverter, encrypted, dataDir } = blobs;
  const providers = await startSimulatedProviders();
  const connection = await connectWorker(target);
  const queue = simulatedQueue(taskQueue);
  const worker = await createCouncilWorker({
    connection,
    namespace: target.namespace,
    taskQueue: queue,
    activities: providers.activities,
    workflowBundle,
    dataConverter,
  });
  const running = worker.run();
  // From here until it stops, simulated runs that borrow this server start no worker of their own.
  publishSimulatedWorker(dataDir, { taskQueue: queue, encrypted });
  // Withdrawn as the stop begins: a draining worker no longer polls, and a run must not borrow it.
  const withdraw = () => publishSimulatedWorker(dataDir, undefined);
  const signals = ['SIGINT', 'SIGTERM'] as const;
  for (const signal of signals) process.once(signal, withdraw);
  say(`simulated worker polling task queue "${queue}" (runs started without an API key)`);
  try {
    await running;
  } finally {
    for (const signal of signals) process.off(signal, withdraw);
    withdraw();
    await connection.close();
    await providers.stop();
  }
}

const portSchema = z.coerce.number().int().min(1).max(65_535);

/**
 * `council server`: the embedded dev server with its Web UI, on the data directory's SQLite file.
 * It publishes its address there, so every other council command (and `council worker`) uses it.
 */
export function serverCommand(): Command {
  return listedCommand('server')
    .option('--data-dir <dir>', 'SQLite file and caches (COUNCIL_DATA_DIR; default ~/.council)')
    .option('--port <port>', 'gRPC port on 127.0.0.1', '7233')
    .option('--ui-port <port>', 'Web UI port on 127.0.0.1', '8233')
    .option('--worker', 'also run a worker in this process (needed by scheduled runs)')
    .action(async (options: ServerOptions) => {
      const port = portSchema.safeParse(options.port);
      const uiPort = portSchema.safeParse(options.uiPort);
      const [flag, value] = !port.success ? ['--port', options.port] : ['--ui-port', options.uiPort];
      if (!port.success || !uiPort.success) {
        throw new CouncilUserError(
          `${flag} ${JSON.stringify(value)} is not a port: give a whole number from 1 to 65535`,
        );
      }
      if (port.data === uiPort.data) {
        throw new CouncilUserError(
          `--port and --ui-port are both ${port.data}: the server and its Web UI each listen on a port of their own`,
          `give one another port, e.g. --ui-port ${port.data === 8233 ? 8234 : 8233}`,
        );
      }
      const dataDir = dataDirectory(options.dataDir);
      const server = await openLocalServer(dataDir, {
        port: port.data,
        uiPort: uiPort.data,
        exclusive: true,
      }).catch((error: unknown) => {
        if (!isPortTaken(error)) throw error;
        // Another `council server` (on another data dir) or another program listens there.
        throw new CouncilUserError(
          (error as Error).message,
          `another program listens on port ${port.data} or ${uiPort.data}: pick free ones with --port and --ui-port`,
          { cause: error },
        );
      });
      const say = (line: string) => process.stdout.write(`${line}\n`);
      say(`Temporal dev server at ${server.address} (namespace ${server.namespace}), data in ${dataDir}`);
      say(`Web UI: ${server.uiUrl ?? '(none)'}`);
      say('council commands without TEMPORAL_ADDRESS use this server. Ctrl-C stops it.');
      try {
        if (options.worker) {
          const settings = parseWorkerSettings(workerSettingsFromEnv(process.env), false);
          const target = localTarget(server);
          const workflowBundle = await cachedWorkflowBundle(dataDir);
          // The workers return once SIGINT/SIGTERM has let their calls finish; the server stops after.
          const real = runWorker(target, settings, { workflowBundle, log: say, dataDir });
          const blobs = blobStoreFromEnv(process.env, { dataDir });
          try {
            const simulated = runSimulatedWorker(target, settings.taskQueue, workflowBundle, say, {
              dataConverter: blobs.dataConverter,
              encrypted: blobs.codec !== undefined,
              dataDir,
            });
            await Promise.all([real, simulated]);
          } finally {
            blobs.close();
          }
        } else {
          await new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          });
        }
      } finally {
        // Stopping `council server` is the user's explicit choice: it does not wait for the commands
        // that borrowed it (its own workers, which some of them rely on, have stopped already).
        const users = otherServerUsers(dataDir);
        if (users.length > 0) say(`${whoElse(users)} still used this server and loses it`);
        await closeLocalServer(dataDir, server);
        say('server stopped');
      }
    });
}
