import type { Command } from 'commander';
import { parseWorkerSettings, runWorker, workerSettingsFromEnv } from '../../workers/main';
import { configuredTarget, localTarget, type TemporalTarget } from '../runtime/connection';
import { CouncilUserError } from '../../common/userError';
import { cachedWorkflowBundle } from '../runtime/bundle';
import { dataDirectory, publishedServer } from '../runtime/localServer';
import { listedCommand } from './help';

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
      const settings = parseWorkerSettings(
        { ...workerSettingsFromEnv(process.env), ...flags },
        'flags and COUNCIL_* variables',
      );
      const dataDir = dataDirectory(options.dataDir);
      const configured = configuredTarget(options.profile);
      const target = configured ?? (await publishedTarget(dataDir));
      await runWorker(target, settings, {
        workflowBundle: await cachedWorkflowBundle(dataDir),
        // On `council server`'s embedded server, the blob store defaults to its data directory.
        ...(configured ? {} : { dataDir }),
      });
    });
}

/** Without a configured address, the embedded server a `council server` is running, if any. */
async function publishedTarget(dataDir: string): Promise<TemporalTarget> {
  const server = await publishedServer(dataDir);
  if (!server) {
    throw new CouncilUserError(
      'no Temporal address: TEMPORAL_ADDRESS is not set and no `council server` is running',
      'set TEMPORAL_ADDRESS (or a profile), or start `council server` first',
    );
  }
  return localTarget(server);
}
