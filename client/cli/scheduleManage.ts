import { periodLine, periodSpend, retireKeeper } from './schedulePeriod';
import { Command, Option } from 'commander';
import {
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
} from '@temporalio/client';
import { isRunId } from '../api/runIdRule';
import { CouncilUserError } from '../../common/userError';
import { createOutput, formatTable } from './output';
import { printable } from '../../common/printable';
import { connectionFlags, withConnectionOptions } from './options';
import { openRuntime, type CliRuntime } from '../runtime/commandRuntime';
import { OVERLAP_POLICIES, overlapPolicy, SCHEDULE_MEMO_KEY } from './scheduleShared';
import { triggerLine, triggerSchedule } from './scheduleTrigger';

/** list, describe, pause, unpause, trigger and delete. */
export function manageCommands(): Command[] {
  return [listCommand(), describeCommand(), ...stateCommands()];
}

/** Runs `work` with the schedule's handle; a schedule that does not exist is one clear error. */
async function withSchedule<T>(
  options: Record<string, unknown>,
  id: string,
  work: (handle: ScheduleHandle, runtime: CliRuntime) => Promise<T>,
): Promise<T> {
  if (id.trim() === '') {
    throw new CouncilUserError('an empty id names no schedule', 'see `council schedule list`');
  }
  const runtime = await openRuntime(connectionFlags(options));
  try {
    const handle = runtime.client.schedule.getHandle(id);
    return await work(handle, runtime);
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) {
      throw new CouncilUserError(`no schedule with id "${id}"`, 'see `council schedule list`', {
        cause: error,
      });
    }
    throw error;
  } finally {
    await runtime.close();
  }
}

function listCommand(): Command {
  const command = new Command('list').description('list schedules').option('--json', 'print JSON');
  withConnectionOptions(command);
  return command.action(async (options: Record<string, unknown>) => {
    const out = createOutput(options.json === true);
    const runtime = await openRuntime(connectionFlags(options));
    try {
      const rows: Array<{
        id: string;
        state: ScheduleState;
        nextRunAt: string | null;
        latestRun: string | null;
      }> = [];
      for await (const schedule of runtime.client.schedule.list()) {
        rows.push({
          id: schedule.scheduleId,
          state: schedule.state.paused ? 'paused' : 'active',
          // Temporal keeps computing the times of a paused schedule; none of them will start a run.
          nextRunAt: schedule.state.paused ? null : (schedule.info.nextActionTimes[0]?.toISOString() ?? null),
          latestRun:
            schedule.info.recentActions.map((a) => a.action.workflow.workflowId).slice(-1)[0] ?? null,
        });
      }
      if (out.json) return out.result({ type: 'schedule-list', items: rows });
      if (rows.length === 0) return out.say('No schedules.');
      out.say(
        formatTable(
          ['ID', 'STATE', 'NEXT RUN', 'LATEST RUN'],
          rows.map((row) => [row.id, row.state, row.nextRunAt ?? '', row.latestRun ?? '']),
        ),
      );
    } finally {
      await runtime.close();
    }
  });
}

function describeCommand(): Command {
  const command = new Command('describe')
    .description(
      'show a schedule: its spec, state, next runs and recent runs (their ids work with `council show`)',
    )
    .argument('<id>', 'schedule id')
    .option('--json', 'print JSON');
  withConnectionOptions(command);
  return command.action((id: string, options: Record<string, unknown>) =>
    withSchedule(options, id, async (handle, runtime) => {
      const description = await handle.describe();
      const periodBudget = await periodSpend(runtime.client, id, description.memo?.[SCHEDULE_MEMO_KEY]);
      const shown = summary(description, await runningRuns(runtime.client, description));
      const out = createOutput(options.json === true);
      if (out.json) return out.result({ type: 'schedule', ...shown, periodBudget });
      for (const [key, value] of Object.entries(shown)) {
        out.say(printable(`${key.padEnd(10)} ${Array.isArray(value) ? value.join(', ') || '-' : value}`));
      }
      if (periodBudget) out.say(`${'period'.padEnd(10)} ${periodLine(periodBudget)}`);
    }),
  );
}

type ScheduleState = 'active' | 'paused';

/** The most runs still going that describe lists. */
const MAX_RUNNING_LISTED = 100;

/**
 * The schedule's runs still going. Temporal tracks those started under an overlap policy other than
 * allow_all, and `trigger` starts its run under allow_all by default: the others are found by the
 * search attribute Temporal gives every run a schedule starts. An id the query could not quote
 * (not made by the CLI) gets the tracked runs only.
 */
async function runningRuns(client: Client, description: ScheduleDescription): Promise<string[]> {
  const running = new Set(description.info.runningActions.map((action) => action.workflow.workflowId));
  if (!isRunId(description.scheduleId)) return [...running];
  const query = `TemporalScheduledById = '${description.scheduleId}' AND ExecutionStatus = 'Running'`;
  for await (const run of client.workflow.list({ query, pageSize: MAX_RUNNING_LISTED })) {
    if (running.size >= MAX_RUNNING_LISTED) break;
    running.add(run.workflowId);
  }
  return [...running];
}

function summary(description: ScheduleDescription, running: string[]) {
  const { state, info, policies } = description;
  const memo = (description.memo?.[SCHEDULE_MEMO_KEY] ?? {}) as {
    spec?: string;
    config?: string;
    task?: string;
  };
  return {
    id: description.scheduleId,
    spec: memo.spec ?? '',
    config: memo.config ?? '',
    task: memo.task ?? '',
    state: (state.paused ? 'paused' : 'active') as ScheduleState,
    note: state.note ?? '',
    overlap: (policies.overlap ?? 'SKIP').toLowerCase(),
    nextRunsAt: state.paused ? [] : info.nextActionTimes.slice(0, 3).map((time) => time.toISOString()),
    recentRuns: info.recentActions.map((action) => action.action.workflow.workflowId),
    running,
  };
}

/** A schedule command's work; a line it returns is printed instead of the command's own. */
type ScheduleAction = (
  handle: ScheduleHandle,
  options: Record<string, unknown>,
  runtime: CliRuntime,
) => Promise<void | string>;

function stateCommand(name: string, description: string, done: string, act: ScheduleAction): Command {
  const command = new Command(name).description(description).argument('<id>', 'schedule id');
  withConnectionOptions(command);
  return command.action((id: string, options: Record<string, unknown>) =>
    withSchedule(options, id, async (handle, runtime) => {
      const line = await act(handle, options, runtime);
      process.stdout.write(`${line ?? `${done} schedule ${id}`}\n`);
    }),
  );
}

function stateCommands(): Command[] {
  // Temporal replaces the schedule's note at every pause and unpause: without --note the note it
  // had stays (the SDK would write its own, "Paused via TypeScript SDK"). An empty note is no pause
  // or unpause at all to the server, which says nothing: a schedule without a note of a person's
  // gets the command's.
  const generated = (command: string) => `${command}d with \`council schedule ${command}\``;
  // A schedule already in the state asked for is left as it is, saying so, unless a note is given.
  const setPaused =
    (paused: boolean): ScheduleAction =>
    async (handle, options) => {
      const command = paused ? 'pause' : 'unpause';
      const { state } = await handle.describe();
      const given = options.note as string | undefined;
      if (state.paused === paused && !given) {
        return `Schedule ${handle.scheduleId} is ${paused ? 'paused' : 'active'} already: nothing changed`;
      }
      const kept = state.note ?? '';
      const note =
        given ||
        (kept === '' || kept === generated('pause') || kept === generated('unpause')
          ? generated(command)
          : kept);
      await (paused ? handle.pause(note) : handle.unpause(note));
      return undefined;
    };
  const noteHelp = 'why (replaces the note; without it the note stays, or names this command)';
  return [
    stateCommand('pause', 'pause a schedule', 'Paused', setPaused(true)).option('--note <text>', noteHelp),
    stateCommand('unpause', 'unpause a schedule', 'Unpaused', setPaused(false)).option(
      '--note <text>',
      noteHelp,
    ),
    stateCommand(
      'trigger',
      'start a run now (one per second: its id ends in the time)',
      'Triggered',
      async (h, o) => triggerLine(h.scheduleId, await triggerSchedule(h, overlapPolicy(o.overlap as string))),
    ).addOption(
      new Option('--overlap <policy>', 'overlap policy for this run')
        .choices(OVERLAP_POLICIES)
        .default('allow_all'),
    ),
    stateCommand(
      'delete',
      'delete a schedule (its past runs stay listed)',
      'Deleted',
      async (h, _o, runtime) => {
        await h.delete();
        await retireKeeper(runtime.client, h.scheduleId, 'its schedule was deleted');
      },
    ),
  ];
}
