import path from 'node:path';
import { Command, Option } from 'commander';
import { ScheduleAlreadyRunning } from '@temporalio/client';
import { COUNCIL_SCHEMA_VERSION, councilContextSchema } from '../../common/council';
import { loadConfigFile } from '../api/config';
import { configuredTarget } from '../runtime/connection';
import { CouncilUserError } from '../../common/userError';
import { SIMULATED_BANNER, shouldSimulate } from './simulated';
import { councilMetadata, sessionMetadata } from '../api/webUi';
import { connectionFlags, withConnectionOptions } from './options';
import { hasPollers, openRuntime, simulatedQueue } from '../runtime/commandRuntime';
import { manageCommands } from './scheduleManage';
import {
  describeSpec,
  OVERLAP_POLICIES,
  overlapPolicy,
  SCHEDULE_MEMO_KEY,
  scheduleSpec,
  type SpecFlags,
} from './scheduleShared';
import { WORKFLOW_TYPES } from '../api/runs';
import { QUESTION_MEMO_KEY } from '../api/runRow';
import { listedCommand } from './help';
import { checkedRunId, SCHEDULE_ID_LIMIT } from './runId';
import { refuseOversizedCouncil } from '../api/council';
import { checkedQuestion, textArgument } from './stdinText';
import { retireKeeper } from './schedulePeriod';

/** `council schedule create|list|describe|pause|unpause|trigger|delete`, on Temporal Schedules. */
export function scheduleCommand(): Command {
  const schedule = listedCommand('schedule');
  schedule.addCommand(createCommand());
  for (const command of manageCommands()) schedule.addCommand(command);
  return schedule;
}

interface CreateOptions extends SpecFlags {
  config: string;
  overlap: string;
  paused?: boolean;
  note?: string;
  simulate?: boolean;
}

function createCommand(): Command {
  const command = new Command('create')
    .description(
      'schedule a council or session config; each run is a workflow `<id>-<time>` (see `council list`)',
    )
    .argument('<id>', 'schedule id')
    .argument('[question]', 'the task of each run, - to read it from stdin (default: "task" from the config)')
    .requiredOption('-c, --config <file>', 'council or session config (YAML or JSON)')
    .option(
      '--cron <expression>',
      'cron expression, e.g. "0 9 * * 1-5" (UTC; "CRON_TZ=Europe/Paris 0 9 * * *" for a zone)',
    )
    .option('--every <duration>', 'interval, e.g. 30m, 1h, 1h30m, 1d')
    .addOption(
      new Option('--overlap <policy>', 'when a run is still going at the next time')
        .choices(OVERLAP_POLICIES)
        .default('skip'),
    )
    .option('--paused', 'create it paused')
    .option('--note <text>', 'a note shown by `schedule describe`')
    .option('--simulate', 'embedded server: simulated experts even when API keys are set')
    .option('--no-simulate', 'embedded server: never simulate, fail when a key is missing');
  withConnectionOptions(command);
  return command.action(
    async (
      givenId: string,
      question: string | undefined,
      options: CreateOptions & Record<string, unknown>,
    ) => {
      // Its runs are `<id>-<time>`: the id is printed in hints and tables, and pasted back into a shell.
      const id = checkedRunId(
        givenId,
        'the schedule id',
        'council schedule create weekly-review',
        SCHEDULE_ID_LIMIT,
      );
      const spec = scheduleSpec(options);
      const config = loadConfigFile(options.config);
      const given = (await textArgument(question, 'task'))?.trim();
      const task = given || (config.kind === 'council' ? config.task : config.question);
      if (!task) {
        // A council config names its task "task", a session config its question "question".
        const key = config.kind === 'council' ? 'task' : 'question';
        throw new CouncilUserError(`no task: pass one after the schedule id, or set "${key}" in the config`);
      }
      // As `run` checks its question: every run of the schedule would refuse it.
      checkedQuestion(task);
      // As startCouncil checks a council it starts: every run of the schedule would be too large.
      if (config.kind === 'council')
        refuseOversizedCouncil(councilContextSchema.parse({ ...config.context, task }));
      const flags = connectionFlags(options);
      // On the embedded server, `council server --worker` runs the experts: the offline default
      // applies as for `run`. A cluster's workers hold their own keys.
      const simulated =
        configuredTarget(flags.profile) === undefined &&
        shouldSimulate(config, process.env, options.simulate);
      const runtime = await openRuntime(flags);
      const taskQueue = simulated ? simulatedQueue(runtime.taskQueue) : runtime.taskQueue;
      try {
        const handle = await runtime.inlineSchedules().create({
          scheduleId: id,
          spec,
          action: {
            type: 'startWorkflow',
            workflowId: id,
            taskQueue,
            memo: { [QUESTION_MEMO_KEY]: task },
            // A session config runs one round with the task as its message, then closes.
            ...(config.kind === 'council'
              ? {
                  workflowType: WORKFLOW_TYPES.council,
                  args: [
                    {
                      schemaVersion: COUNCIL_SCHEMA_VERSION,
                      context: { ...config.context, task },
                      ...(config.periodBudget && {
                        periodBudget: { ...config.periodBudget, scheduleId: id },
                      }),
                    },
                  ],
                  // Validated with the file: parsed again only for its defaults.
                  ...councilMetadata(councilContextSchema.parse({ ...config.context, task })),
                }
              : {
                  workflowType: WORKFLOW_TYPES.session,
                  args: [
                    {
                      config: config.session,
                      oneShot: { role: 'user', content: task },
                      ...(config.periodBudget && {
                        periodBudget: { ...config.periodBudget, scheduleId: id },
                      }),
                    },
                  ],
                  ...sessionMetadata(config.session, task),
                }),
          },
          policies: { overlap: overlapPolicy(options.overlap) },
          // Cron expressions come back from the server as calendars: keep the spec as it was written.
          memo: {
            [SCHEDULE_MEMO_KEY]: {
              spec: describeSpec(options),
              config: path.resolve(options.config),
              task,
              ...(config.periodBudget && { periodBudget: config.periodBudget }),
            },
          },
          state: { paused: options.paused === true, ...(options.note ? { note: options.note } : {}) },
        });
        // A keeper left by a schedule of this id deleted another way (its own runs start after this).
        const { createdAt, nextActionTimes } = (await handle.describe()).info;
        await retireKeeper(runtime.client, id, 'a new schedule took its id', createdAt);
        if (nextActionTimes.length === 0 && options.paused !== true) {
          process.stderr.write(
            `council: warning: schedule ${id} has no time to run (${describeSpec(options)} names none to come): it runs only when triggered\n`,
          );
        }
        if (simulated) process.stdout.write(`${SIMULATED_BANNER}\n`);
        process.stdout.write(`Created schedule ${id}: ${describeSpec(options)}, task queue ${taskQueue}\n`);
        if (runtime.local) {
          // No poller at all: nothing runs the schedule's runs now (one may be listed minutes after it stopped).
          const now = (await hasPollers(runtime, taskQueue).catch(() => true))
            ? ''
            : ` No worker polls task queue ${taskQueue} now: its runs wait until one does.`;
          process.stdout.write(
            `Runs need a worker while they are due: keep \`council server --worker\` running.${now}\n`,
          );
        }
      } catch (error) {
        if (error instanceof ScheduleAlreadyRunning) {
          throw new CouncilUserError(
            `a schedule with id "${id}" already exists`,
            'delete it first or pick another id',
          );
        }
        // The SDK turns the server's INVALID_ARGUMENT into a TypeError: for a cron, its parse's words.
        if (error instanceof TypeError && options.cron !== undefined) {
          throw new CouncilUserError(
            `--cron "${options.cron}" is not a schedule Temporal takes: ${error.message}`,
            'five fields: minute hour day-of-month month day-of-week, in UTC, e.g. "0 9 * * 1-5"',
            { cause: error },
          );
        }
        throw error;
      } finally {
        await runtime.close();
      }
    },
  );
}
