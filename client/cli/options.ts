import { Option, type Command } from 'commander';
import { COUNCIL_MODES } from '../../common/council';
import { SIMULATED_QUEUE_SUFFIX } from '../../common/defaults';
import { ORCHESTRATION_STRATEGIES } from '../../common/participants';
import { configuredTarget } from '../../workers/target';
import { CouncilUserError } from '../../common/userError';
import type { ConnectionFlags } from '../runtime/commandRuntime';

/** Adds the options of every command that talks to Temporal. */
export function withConnectionOptions(command: Command): Command {
  return command
    .option('--profile <name>', 'temporal.toml profile to connect with (envconfig; TEMPORAL_PROFILE)')
    .option('--data-dir <dir>', 'embedded server data and caches (COUNCIL_DATA_DIR; default ~/.council)')
    .option(
      '--task-queue <name>',
      'task queue of the workers (COUNCIL_TASK_QUEUE; default "council"; a run that serves itself uses council-<id>; a simulated run adds -simulated: council-simulated by default)',
    )
    .option('--worker', 'with TEMPORAL_ADDRESS set, also run a worker in this process');
}

/** Adds the options that pick or override what a config runs. */
export function withConfigOptions(command: Command, kinds: 'sessions' | 'both' = 'both'): Command {
  command
    .option('-c, --config <file>', 'YAML or JSON config (see `council config schema`)')
    .addOption(
      new Option('--strategy <name>', 'override the session strategy').choices(ORCHESTRATION_STRATEGIES),
    );
  if (kinds === 'both') {
    command.addOption(new Option('--mode <mode>', 'override the council mode').choices(COUNCIL_MODES));
  }
  return command
    .option('--simulate', 'use simulated participants even when API keys are set')
    .option('--no-simulate', 'never simulate: fail when a key is missing');
}

/** The connection flags from a command's parsed options. */
export function connectionFlags(options: Record<string, unknown>): ConnectionFlags {
  const text = (key: string) => (typeof options[key] === 'string' ? (options[key] as string) : undefined);
  return {
    profile: text('profile'),
    dataDir: text('dataDir'),
    taskQueue: checkedTaskQueue(text('taskQueue')),
    worker: options.worker === true,
  };
}

/** Room in Temporal's 1,000 bytes for the `-simulated` a simulated run adds to the queue's name. */
const MAX_TASK_QUEUE_BYTES = 1000 - SIMULATED_QUEUE_SUFFIX.length;

/** --task-queue as given, or a CouncilUserError before anything starts when no run could use it. */
function checkedTaskQueue(taskQueue: string | undefined): string | undefined {
  if (taskQueue === undefined) return undefined;
  if (taskQueue.trim() === '') {
    throw new CouncilUserError(
      '--task-queue is empty: name a queue, e.g. --task-queue council, or leave it out',
    );
  }
  const bytes = Buffer.byteLength(taskQueue);
  if (bytes > MAX_TASK_QUEUE_BYTES) {
    throw new CouncilUserError(
      `--task-queue is ${bytes} bytes long, over the ${MAX_TASK_QUEUE_BYTES} a task queue's name may have`,
    );
  }
  return taskQueue;
}

/**
 * Whether this process will run the worker: always on the embedded server, and with --worker on a
 * configured cluster. Known before anything starts, so bad input fails with nothing started.
 */
export function runsWorkerHere(flags: ConnectionFlags): boolean {
  return flags.worker === true || configuredTarget(flags.profile) === undefined;
}

/** --simulate needs the participants to run in this process. */
export function checkSimulateFlag(flags: ConnectionFlags, simulate: boolean | undefined): void {
  if (simulate === true && !runsWorkerHere(flags)) {
    throw new CouncilUserError(
      '--simulate runs the participants in this process, but TEMPORAL_ADDRESS points at a cluster whose workers would answer',
      'add --worker',
    );
  }
}
