import type { Command } from 'commander';
import { CouncilUserError } from '../../common/userError';
import { startUiServer } from '../ui/server';
import { keptUiKey } from '../ui/uiKey';
import { connectionFlags, withConnectionOptions } from './options';
import { openRuntime, requireWorker, runQueue, type CliRuntime } from '../runtime/commandRuntime';
import { serveWorkflow } from './workflows';
import { shouldSimulate } from './simulated';
import type { CouncilConfig } from '../api/config';
import { listedCommand } from './help';

/** The port `council ui` listens on unless --port says otherwise. */
export const DEFAULT_UI_PORT = 8240;

/**
 * `council ui [--port 8240]`: the web view of sessions and councils, on 127.0.0.1 only, reading from
 * the Temporal the other commands use. It runs until Ctrl-C; on the embedded server this process
 * also runs the workers the runs it shows need (as `council show` does).
 */
export function uiCommand(): Command {
  const command = listedCommand('ui').option(
    '--port <n>',
    'port on 127.0.0.1 (0 picks a free one)',
    String(DEFAULT_UI_PORT),
  );
  withConnectionOptions(command);
  return command.action(async (options: Record<string, unknown>) => {
    // Number('') is 0, which picks a free port: an empty --port would not say so.
    const port = /^\d+$/.test(String(options.port)) ? Number(options.port) : Number.NaN;
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new CouncilUserError('--port takes a whole number from 0 to 65535');
    }
    const runtime = await openRuntime(connectionFlags(options), undefined, { longRunning: true });
    try {
      const server = await startUiServer({
        client: runtime.client,
        port,
        key: keptUiKey(runtime.dataDir),
        // Viewing a run serves its calls only where this process has their keys; sending needs them.
        serve: (found, sending) => serveWorkflow(runtime, found, sending ? 'checked' : 'if-keys'),
        queueFor: (_id, config, defaults) => serveNewRun(runtime, config, defaults),
        log: (line) => process.stderr.write(`council ui: ${line}\n`),
      }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EADDRINUSE') throw error;
        throw new CouncilUserError(`port ${port} is in use`, 'pick another with --port');
      });
      // The link holds the key: whoever opens it may read and start runs, so it is printed here only.
      process.stdout.write(`council ui on ${server.link} (Temporal ${runtime.address}); Ctrl-C stops it\n`);
      await untilInterrupted();
      await server.close();
    } finally {
      await runtime.close();
    }
  });
}

/** Resolves on the first SIGINT or SIGTERM, so the server and the runtime close in order. */
function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/**
 * The queue of a run started from the page, served as `council run` serves one: by a worker in this
 * process (simulated on the simulated queue, else on a queue of this process's own unless
 * --task-queue chose one), or, against a cluster, by a worker polling its queue. The
 * page's default participants are always simulated, which needs a worker in this process.
 */
async function serveNewRun(
  runtime: CliRuntime,
  config: CouncilConfig,
  defaults: boolean,
): Promise<{ taskQueue: string; simulated: boolean }> {
  if (defaults && !runtime.inProcessWorker) {
    throw new CouncilUserError(
      'simulated participants need a worker in the `council ui` process, and it runs none (a cluster is configured)',
      'start `council ui --worker`, or paste a config whose keys your workers have',
    );
  }
  const simulated =
    defaults || (runtime.inProcessWorker && shouldSimulate(config, process.env, undefined, 'page'));
  // One queue for every run with keys this process starts, not one per run: its workers stay few.
  const taskQueue = runQueue(runtime, `ui-${process.pid}`, simulated);
  if (runtime.inProcessWorker) await runtime.startWorker({ taskQueue, simulated });
  else await requireWorker(runtime, taskQueue);
  return { taskQueue, simulated };
}
