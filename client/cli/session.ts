import { Command } from 'commander';
import { CouncilUserError } from '../../common/userError';
import { cancelRun, requireCancellable, requireRunning, type FoundRun } from '../api/runs';
import { MultiParticipantSession } from '../api/session';
import { SIMULATED_BANNER } from './simulated';
import { connectionFlags, withConfigOptions, withConnectionOptions } from './options';
import { prepareConfig, type StartOptions } from './run';
import { openRuntime, runQueue } from '../runtime/commandRuntime';
import { attachCommand } from './sessionAttach';
import { sendCommand } from './sessionSend';
import { sessionManageCommands } from './sessionManage';
import { listCommand, showCommand } from './sessionShow';
import { asIdTaken, checkedRunId, newRunId, withServedWorkflow } from './workflows';
import { listedCommand } from './help';
import { raiseHint } from './events';
import { printable } from '../../common/printable';

/**
 * `council session start|send|show|list|attach|cancel|close|add|remove|role|strategy`. send, show, list,
 * attach and cancel are top-level commands too (`council send ID …`, commands.ts); the `session …`
 * spellings stay as aliases.
 */
export function sessionCommand(): Command {
  const session = listedCommand('session');
  session.addCommand(startCommand());
  session.addCommand(sendCommand());
  session.addCommand(showCommand());
  session.addCommand(listCommand());
  session.addCommand(attachCommand());
  session.addCommand(cancelCommand());
  session.addCommand(closeCommand());
  for (const command of sessionManageCommands()) session.addCommand(command);
  return session;
}

function startCommand(): Command {
  const command = new Command('start')
    .description('start a session from a config; talk to it with `council send`')
    .option('--id <id>', 'session id (default: session-<time>-<random>)');
  // A council config is refused here: --mode would only ever fail.
  withConfigOptions(command, 'sessions');
  withConnectionOptions(command);
  return command.action(async (options: StartOptions) => {
    const { config, flags, simulated } = prepareConfig(options);
    if (config.kind !== 'session') {
      throw new CouncilUserError('`session start` takes a session config', 'run councils with `council run`');
    }
    const id = options.id !== undefined ? checkedRunId(options.id) : newRunId('session');
    const runtime = await openRuntime(flags);
    try {
      // As `run`'s: with real keys, a queue of its own, so a key-less `council server --worker` on the
      // shared queue never takes its calls; `send` and `attach` serve the queue the session names.
      const taskQueue = runQueue(runtime, id, simulated);
      await MultiParticipantSession.create(runtime.client, config.session, {
        sessionId: id,
        taskQueue,
      }).catch(async (error: unknown) => {
        throw await asIdTaken(runtime.client, id, error);
      });
      if (simulated) process.stdout.write(`${SIMULATED_BANNER}\n`);
      process.stdout.write(`Started session ${id} (${config.session.strategy}) on task queue ${taskQueue}\n`);
      if (config.question) process.stdout.write(`${questionNotSent(id, config.question)}\n`);
    } finally {
      await runtime.close();
    }
  });
}

/** A config's question is asked by `run`; `session start` only starts, so it says how to ask it. */
function questionNotSent(id: string, question: string): string {
  const head = "The config's question is not sent: `session start` only starts the session.";
  // A short one-line question fits a command to copy; POSIX single quotes take it as it is.
  if (question.length > 200 || /[\n\r]/.test(question))
    return `${head} Ask it with: council send ${id} QUESTION`;
  return `${head} Ask it with: council send ${id} '${printable(question).replace(/'/g, "'\\''")}'`;
}

/** `council cancel <id>` (alias `council session cancel`). */
export function cancelCommand(): Command {
  const command = listedCommand('cancel').argument('<id>', 'session or council id');
  withConnectionOptions(command);
  return command.action(async (id: string, options: Record<string, unknown>) => {
    // A worker must serve the run for it to take the cancellation; a closed one is refused before.
    await withServedWorkflow(
      connectionFlags(options),
      id,
      async (found) => {
        await cancelRun(found);
        process.stdout.write(`Cancelled ${found.kind} ${id}\n`);
      },
      requireCancellable,
      'none',
    );
  });
}

/** A session only, and a running one: refused before a worker starts for it. */
function requireClosable(found: FoundRun): void {
  const id = found.description.workflowId;
  if (found.kind === 'council') {
    throw new CouncilUserError(
      `${id} is a council: it closes by itself once its synthesis is written`,
      `stop it early with \`council cancel ${id}\``,
    );
  }
  requireRunning(found, `it has nothing to close: see \`council show ${id}\``);
}

/**
 * `council session close <id>`: the session completes after the rounds asked for, which this
 * process serves meanwhile (unlike `cancel`, which cuts the calls in flight short).
 */
function closeCommand(): Command {
  const command = new Command('close')
    .description(
      'close a running session once the rounds asked for are played: it completes (cancel cuts them short)',
    )
    .argument('<id>', 'session id');
  withConnectionOptions(command);
  return command.action(async (id: string, options: Record<string, unknown>) => {
    await withServedWorkflow(
      connectionFlags(options),
      id,
      async (_found, runtime) => {
        const session = await MultiParticipantSession.attach(runtime.client, id);
        const before = await session.view();
        const pending = (before.activeRound ? 1 : 0) + (before.roundsWaiting ?? 0);
        // A call an `ask` budget holds keeps its round, and so the close, waiting for a person.
        const held = before.budget?.waiting;
        const why = held
          ? `: ${held.participant}'s call waits for a budget decision until ${held.until} ` +
            `(${raiseHint(id, before.budget?.limit)}, or council budget stop ${id})`
          : '';
        if (pending > 0)
          process.stdout.write(
            `${printable(`Session ${id} closes after ${pending} round(s) in play${why}`)}\n`,
          );
        const view = await session.close();
        const tokens = view.usage.totalTokens;
        process.stdout.write(`Closed session ${id} after ${view.round} round(s), ${tokens} tokens\n`);
      },
      requireClosable,
      'checked',
    );
  });
}
