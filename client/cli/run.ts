import path from 'node:path';
import type { Command } from 'commander';
import { defaultConfig } from '../api/defaultConfigs';
import { loadConfigFile, configShape, type ConfigOverrides, type CouncilConfig } from '../api/config';
import { localCallNote } from '../../common/localCall';
import { CouncilUserError } from '../../common/userError';
import { configModels, SIMULATED_BANNER, shouldSimulate } from './simulated';
import { createEventsOutput, eventsOf } from './events';
import { createOutput } from './output';
import { onInterrupt, openingRun, whatGoesOn, type RunStage } from './interrupt';
import { detachedExitCode } from './exitCode';
import { checkedQuestion, textArgument } from './stdinText';
import {
  checkSimulateFlag,
  connectionFlags,
  runsWorkerHere,
  withConfigOptions,
  withConnectionOptions,
} from './options';
import { checkedRunId, newRunId } from './runId';
import { PROJECT_ROOT } from '../runtime/temporalCli';
import { listedCommand } from './help';

/** Options of the commands that start something from a config. */
export interface StartOptions extends Record<string, unknown> {
  config?: string;
  strategy?: ConfigOverrides['strategy'];
  mode?: ConfigOverrides['mode'];
  simulate?: boolean;
  json?: boolean;
  id?: string;
}

/** The config, the connection flags and whether to simulate, all settled before anything starts. */
export function prepareConfig(options: StartOptions) {
  const overrides: ConfigOverrides = { strategy: options.strategy, mode: options.mode };
  if (options.mode && !options.config) {
    throw new CouncilUserError(
      '--mode is for councils, and with no -c the run uses the default session config',
      `pass a council config with -c, e.g. -c ${path.relative(process.cwd(), path.join(PROJECT_ROOT, 'examples', 'council-parallel.yaml'))}`,
    );
  }
  const config: CouncilConfig = options.config
    ? loadConfigFile(options.config, overrides)
    : defaultConfig(process.env, overrides);
  const flags = connectionFlags(options);
  checkSimulateFlag(flags, options.simulate);
  // With a cluster's workers, keys live there: only a worker in this process needs them here.
  const simulated = runsWorkerHere(flags) && shouldSimulate(config, process.env, options.simulate);
  return { config, flags, simulated };
}

/** Where a council's earlier conversation comes from: a saved file, or another council. */
interface RunFromOptions {
  from?: string;
  fromRun?: string;
}

/** {@link prepareConfig}, and the question: from the command line, else from the config. */
function prepareRun(question: string | undefined, options: StartOptions) {
  const { config, flags, simulated } = prepareConfig(options);
  if (question !== undefined && !question.trim()) {
    throw new CouncilUserError(
      'the question is empty',
      "write one, or leave it out to ask the config's question",
    );
  }
  // As written: the round's schema drops only the blank lines around it, not its indentation.
  const asked = question ?? (config.kind === 'session' ? config.question : config.task);
  if (!asked) {
    throw new CouncilUserError(
      'no question: pass one, e.g. council run "What are the key challenges in AI alignment?"',
      `or set "${config.kind === 'session' ? 'question' : 'task'}" in the config`,
    );
  }
  // Checked before the run's id is printed: a question no run would take starts none.
  return { config, question: checkedQuestion(asked), flags, simulated };
}

/** `council run [question]`: one question to a session or council, answers as they arrive. */
export function runCommand(): Command {
  const command = listedCommand('run')
    .argument(
      '[question]',
      'the question, or - to read it from stdin (default: "question"/"task" from the config)',
    )
    .option('--json', 'print one machine-readable result instead of text')
    .option('--events', 'print one JSON event per line as the run goes (docs/json.md), for pipelines')
    .option(
      '--id <id>',
      'workflow id to start the run under (default: run-<time>-<random> for a session, council-<time>-<random> for a council)',
    )
    .option('--from <file>', 'a council only: go on from a conversation saved with `show ID --save FILE`')
    .option('--from-run <id>', "a council only: go on from council ID's conversation");
  withConfigOptions(command);
  withConnectionOptions(command);
  return command.action(
    async (question: string | undefined, options: StartOptions & RunFromOptions & { events?: boolean }) => {
      if (options.events && options.json) {
        throw new CouncilUserError('--events and --json cannot be used together: pick one');
      }
      if (options.from !== undefined && options.fromRun !== undefined) {
        throw new CouncilUserError('--from and --from-run cannot be used together: pick one');
      }
      const out = options.events ? createEventsOutput() : createOutput(options.json === true);
      const {
        config,
        question: asked,
        flags,
        simulated,
      } = prepareRun(await textArgument(question, 'question'), options);
      const fromFlag =
        options.from !== undefined ? '--from' : options.fromRun !== undefined ? '--from-run' : '';
      if (fromFlag && config.kind === 'session') {
        throw new CouncilUserError(`${fromFlag} goes on from a council's conversation: use a council config`);
      }
      // A file is read before anything starts: a bad one fails at once. The module loads only when
      // needed: it brings the Temporal client, which the first line below must not wait for.
      const savedPrior =
        options.from !== undefined
          ? (await import('../api/conversationFile')).priorFromFile(options.from)
          : undefined;
      const id =
        options.id !== undefined
          ? checkedRunId(options.id)
          : newRunId(config.kind === 'session' ? 'run' : 'council');
      // At once, before the SDK loads and the server and worker start (seconds on a fresh data dir).
      out.say(`Starting ${config.kind} ${id}…`);
      const note = localCallNote(
        config.kind === 'session'
          ? [
              ...config.session.participants,
              ...(config.session.selector ? [{ name: 'selector', ...config.session.selector }] : []),
            ]
          : [...config.context.activeExperts, { name: 'synthesizer', ...config.context.synthesisConfig }],
      );
      if (note) out.say(note);
      if (config.periodBudget) {
        out.say(
          "Note: periodBudget is shared by a schedule's runs (`council schedule create`): this run has its budget alone",
        );
      }
      const { runtime, requireWorker, runQueue } = await openingRun(
        out,
        { id, kind: config.kind },
        async () => {
          // The server boots while the SDK and the worker's modules load.
          const early = await (await import('../runtime/earlyServer')).openLocalServerEarly(flags);
          const { openRuntime, requireWorker, runQueue } = await import('../runtime/commandRuntime');
          const providers = configModels(config).map((model) => model.provider);
          const runtime = await openRuntime(flags, early, { worker: { providers, simulated } });
          return { runtime, requireWorker, runQueue };
        },
        ({ runtime }) => runtime.close(),
      );
      const taskQueue = runQueue(runtime, id, simulated);
      // A queue of the run's own has no worker once this process is gone: only attach serves it.
      const ownQueue = taskQueue !== runtime.taskQueue && !simulated ? taskQueue : undefined;
      // Until its start is sent, Ctrl-C leaves nothing running, and must not say it goes on.
      let stage: RunStage = 'unsent';
      const detach = onInterrupt(
        runtime,
        out,
        { id, kind: config.kind },
        whatGoesOn(config.kind, true, ownQueue),
        () => stage,
      );
      // Marks the start as sent, unless Ctrl-C came first: it said nothing runs, so nothing is sent.
      // Returns when: the run's time counts from there, as `show`'s from the workflow's start, not
      // from the server's boot.
      const sending = (): number | undefined => {
        if (detachedExitCode() !== undefined) return undefined;
        stage = 'sent';
        return Date.now();
      };
      try {
        if (runtime.inProcessWorker) await runtime.startWorker({ taskQueue, simulated });
        else await requireWorker(runtime, taskQueue);
        // Read before the run is announced: a source that is no council starts nothing. Its
        // conversation is a query, answered on the source's own queue, which a keyed run had to itself.
        if (options.fromRun !== undefined) {
          const [{ serveWorkflow }, { findRun }] = await Promise.all([
            import('./workflows'),
            import('../api/runs'),
          ]);
          // One not found is left to priorFromCouncil, which says what it needs.
          const source = await findRun(runtime.client, options.fromRun).catch(() => undefined);
          if (source) await serveWorkflow(runtime, source, 'none');
        }
        const continueFrom =
          savedPrior ??
          (options.fromRun !== undefined
            ? await (
                await import('../api/conversationFile')
              ).priorFromCouncil(runtime.client, options.fromRun)
            : undefined);
        // Said once the workflow has started: an id already taken starts nothing.
        const announce = (): void => {
          stage = 'started';
          if (simulated) out.say(SIMULATED_BANNER);
          out.say(
            `Started ${config.kind} ${id} (${configShape(config)}) on ${runtime.address}, task queue ${taskQueue}`,
          );
          out.say(`Reattach with: council attach ${id}\n`);
          eventsOf(out)?.({
            type: 'started',
            id,
            kind: config.kind,
            ...(config.kind === 'session'
              ? { strategy: config.session.strategy }
              : { mode: config.context.mode }),
            question: asked,
            simulated,
          });
        };
        if (config.kind === 'council') {
          const { runCouncil } = await import('./councilRun');
          const startedMs = sending();
          if (startedMs === undefined) return;
          const council = {
            id,
            taskQueue,
            context: config.context,
            task: asked,
            simulated,
            startedMs,
            ...(continueFrom && { continueFrom }),
          };
          process.exitCode = await runCouncil(runtime, out, council, () => {
            announce();
            if (continueFrom) {
              out.say(
                `Continues ${continueFrom.sourceId}: ${continueFrom.messages.length} earlier message(s)`,
              );
            }
          });
          return;
        }
        const { finishSessionRun, startSessionRun } = await import('./sessionRun');
        const startedMs = sending();
        if (startedMs === undefined) return;
        const { handle, update } = await startSessionRun(runtime, {
          id,
          taskQueue,
          config: config.session,
          question: asked,
        });
        announce();
        process.exitCode = await finishSessionRun(handle, update, out, {
          id,
          strategy: config.session.strategy,
          question: asked,
          simulated,
          startedMs,
          budgetLimit: config.session.budget,
        });
      } finally {
        detach();
        await runtime.close();
      }
    },
  );
}
