import type { Command } from 'commander';
import { CouncilUserError } from '../../common/userError';
import { sendHumanMessage } from '../api/council';
import type { FoundRun } from '../api/runs';
import { requireOpen } from '../api/ended';
import { MultiParticipantSession } from '../api/session';
import { SIMULATED_BANNER } from './simulated';
import { followSessionRound, rowOf } from './followSession';
import { createOutput, exitCodeOf, formatUsage, outcomeOf, totalUsage } from './output';
import { connectionFlags, withConnectionOptions } from './options';
import { progressRendererFor } from './progress';
import type { StartOptions } from './run';
import { isSimulatedQueue } from '../runtime/commandRuntime';
import { withServedWorkflow } from './workflows';
import { listedCommand } from './help';
import { formatBudget } from './estimate';
import { printable } from '../../common/printable';
import { onInterrupt } from './interrupt';
import { messageJsonOf } from './jsonOutput';
import { textArgument } from './stdinText';
import { sendMessageSchema } from '../../common/sessionInputs';

/**
 * `--to`'s names, comma-separated. An empty one is refused: a council read a `--to` of nothing as no
 * `--to`, and wrote to every expert a message meant for some.
 */
function recipientsOf(to: string | undefined): string[] | undefined {
  const entries = to?.split(',').map((entry) => entry.trim());
  if (entries?.includes('')) {
    throw new CouncilUserError(
      `--to "${printable(to ?? '')}" names an empty recipient`,
      "name each one, separated by commas: participants, or a council's expert ids, role:ROLE or groups; leave --to out to write to all",
    );
  }
  return entries;
}

/** `--to` for a council: one address, or a list of expert ids and group names. */
function councilRecipient(entries: string[] | undefined): string | string[] | undefined {
  return entries && entries.length > 1 ? entries : entries?.[0];
}

/** `council send <id> <message>` (alias `council session send`): to a session or a council. */
export function sendCommand(): Command {
  const command = listedCommand('send')
    .argument('<id>', 'session or council id')
    .argument('<message>', 'what the participants should answer, or - to read it from stdin')
    .option(
      '--to <names>',
      'only these participants answer (comma-separated); for a council: an expert id, role:<role>, a group name, or a comma-separated list of ids and groups',
    )
    .option('--urgent', "a council's experts read this message first at their next turn")
    .option('--json', 'print one machine-readable result instead of text');
  withConnectionOptions(command);
  type SendOptions = StartOptions & { to?: string; urgent?: boolean };
  return command.action(async (id: string, given: string, options: SendOptions) => {
    const startedMs = Date.now();
    const message = await textArgument(given, 'message');
    // Refused before a server or worker starts for it; the run's own schema says the rest.
    if (message.trim() === '') {
      throw new CouncilUserError('the message is empty', 'write what to send, or - to read it from stdin');
    }
    const to = recipientsOf(options.to);
    // The session's bounds, the larger of the two kinds': over them, no run of either takes it.
    const checked = sendMessageSchema.shape.content.safeParse(message);
    if (!checked.success) throw new CouncilUserError(checked.error.issues[0]?.message ?? 'invalid message');
    const out = createOutput(options.json === true);
    const open = (found: FoundRun) => requireOpen(found, `start a new ${found.kind}`);
    await withServedWorkflow(
      connectionFlags(options),
      id,
      async (found, runtime) => {
        if (found.kind === 'council') {
          // The seed's human-in-the-loop: experts read it in their next turns, the synthesizer too.
          const sent = await sendHumanMessage(runtime.client, id, {
            content: message,
            recipient: councilRecipient(to),
            ...(options.urgent === true && { priority: 'urgent' }),
          });
          if (out.json) {
            out.result({ type: 'council-message', id, kind: 'council', message: messageJsonOf(sent) });
            return;
          }
          const reached = sent.recipient ?? sent.recipients?.join(', ');
          const urgent = sent.priority === 'urgent' ? ', urgent' : '';
          out.say(`Added message ${sent.id}${urgent} to council ${id}${reached ? ` for ${reached}` : ''}`);
          return;
        }
        if (options.urgent) {
          throw new CouncilUserError(
            `--urgent is for councils, and ${id} is a session: its participants answer each message as it comes`,
            'send it without --urgent',
          );
        }
        const simulated = isSimulatedQueue(found.description.taskQueue);
        const session = await MultiParticipantSession.attach(runtime.client, id);
        const view = await session.view();
        if (simulated) out.say(SIMULATED_BANNER);
        // Rounds are played one at a time: without this, a send queued behind another printed nothing.
        if (view.activeRound) {
          out.say(
            `Round ${view.activeRound.round} of session ${id} is being played: this message waits for it (and any sent before it), then is played.`,
          );
        }
        const renderer = progressRendererFor(out);
        // The round's own id: others sent meanwhile are not this command's to show.
        const updateId = crypto.randomUUID();
        const sent = session.sendMessage('user', message, { updateId, ...(to && { participants: to }) });
        const detach = onInterrupt(
          runtime,
          out,
          { id, kind: 'session' },
          'The round goes on when a worker serves it',
        );
        const responses = await followSessionRound(
          found.handle,
          sent,
          renderer,
          view.transcriptLength,
          { updateId },
          view.budget?.limit,
        ).finally(detach);
        const rows = responses.map(rowOf);
        const exitCode = exitCodeOf(rows);
        process.exitCode = exitCode;
        // What the round left of the budget: the session's, read once the round is over.
        const budget = view.budget && (await session.view()).budget;
        if (out.json)
          out.result({
            type: 'session-round',
            id,
            kind: 'session',
            round: responses[0]?.round ?? view.round + 1,
            strategy: view.strategy,
            question: message,
            simulated,
            status: outcomeOf(exitCode),
            exitCode,
            responses: rows,
            usage: totalUsage(rows),
            elapsedMs: Date.now() - startedMs,
            ...(budget && { budget }),
          });
        else {
          out.say(`\n${formatUsage(rows, Date.now() - startedMs)}`);
          if (budget) out.say(formatBudget(budget));
        }
      },
      open,
    );
  });
}
