import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { parseWorkerSettings, runWorker, workerSettingsFromEnv } from '../../workers/main';
import { configuredTarget, localTarget, type TemporalTarget } from '../runtime/connection';
import { CouncilUserError } from '../../common/userError';
import { cachedWorkflowBundle } from '../runtime/bundle';
import { dataDirectory, publishedServer } from '../runtime/localServer';
import { takeServerLease, type ServerLease } from '../runtime/serverLeases';
import { withServerStartLock } from '../runtime/serverLock';
import { listedCommand } from './help';
import { isSimulatedQueue } from '../runtime/commandRuntime';

interface WorkerOptions {
  profile?: string;
  dataDir?: string;
  taskQueue?: string;
  maxConcurrentCalls?: string;
  shutdownGraceMs?: string;
}

/** `council worker`: a long-lived worker for any cluster, stopped gracefully by SIGINT/SIGTERM. */
export function workerCommand(): Command {
  return listedCommand('worker')
    .option('--profile <name>', 'temporal.toml profile to connect with (envconfig; TEMPORAL_PROFILE)')
    .option('--data-dir <dir>', 'where `council server` publishes its address (COUNCIL_DATA_DIR)')
    .option('--task-queue <name>', 'task queue to poll (COUNCIL_TASK_QUEUE; default "council")')
    .option('--max-concurrent-calls <n>', 'LLM calls run at once (COUNCIL_MAX_CONCURRENT_CALLS; default 200)')
    .option(
      '--shutdown-grace-ms <ms>',
      'time in-flight calls get on shutdown (COUNCIL_SHUTDOWN_GRACE_MS; 30000)',
    )
    .action(async (options: WorkerOptions) => {
      const flags = {
        ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}),
        ...(options.maxConcurrentCalls ? { maxConcurrentCalls: options.maxConcurrentCalls } : {}),
        ...(options.shutdownGraceMs ? { shutdownGraceMs: options.shutdownGraceMs } : {}),
      };
      const settings = parseWorkerSettings({ ...workerSettingsFromEnv(process.env), ...flags }, true);
      if (isSimulatedQueue(settings.taskQueue)) {
        // Its calls would go to real providers with this worker's keys, or fail without them.
        throw new CouncilUserError(
          `task queue "${settings.taskQueue}" is for simulated runs, and this worker calls the real providers`,
          'pick another --task-queue; `council server --worker` serves simulated runs',
        );
      }
      const dataDir = dataDirectory(options.dataDir);
      const configured = configuredTarget(options.profile);
      const { target, lease } = configured
        ? { target: configured, lease: undefined }
        : await borrowPublished(dataDir);
      try {
        await runWorker(target, settings, {
          workflowBundle: await cachedWorkflowBundle(dataDir),
          // On `council server`'s embedded server, the blob store defaults to its data directory.
          ...(configured ? {} : { dataDir }),
        });
      } finally {
        lease?.release();
      }
    });
}

/**
 * Without a configured address, the embedded server a `council server` (or a command) is running,
 * with a lease on it: a command that owns it waits for this worker before stopping it.
 */
async function borrowPublished(dataDir: string): Promise<{ target: TemporalTarget; lease: ServerLease }> {
  // A directory that does not exist has no server to borrow (nor room for the start lock's file).
  const borrowed =
    existsSync(dataDir) &&
    (await withServerStartLock(dataDir, async () => {
      const server = await publishedServer(dataDir);
      return server && { target: localTarget(server), lease: takeServerLease(dataDir) };
    }));
  if (!borrowed) {
    throw new CouncilUserError(
      `no Temporal address: TEMPORAL_ADDRESS is not set and no \`council server\` is running for ${dataDir}`,
      'set TEMPORAL_ADDRESS (or a profile), or start `council server` first',
    );
  }
  return borrowed;
}
