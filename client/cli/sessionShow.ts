import { LIMITS } from '../../common/defaults';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { SessionView, TranscriptEntry } from '../../common/session';
import { CouncilUserError } from '../../common/userError';
import { failureMessage } from '../api/ended';
import { MultiParticipantSession } from '../api/session';
import {
  CONVERSATION_FLAGS,
  showConversation,
  wantsConversation,
  withConversationOptions,
  type ConversationFlags,
} from './councilConversation';
import { showCouncil } from './councilShow';
import { formatBudget } from './estimate';
import { showHeadOf } from './jsonOutput';
import { createOutput, formatTable, formatUsd } from './output';
import { connectionFlags, withConnectionOptions } from './options';
import { openRuntime } from '../runtime/commandRuntime';
import { printable } from '../../common/printable';
import { wrapText } from './wrap';
import { withServedWorkflow } from './workflows';
import { listRuns, MAX_LISTED_RUNS, STATUS_NAMES, STRATEGY_NAMES } from '../api/runRow';
import { listedCommand } from './help';

/** `council show <id>`: the transcript of a session (or a council's result). */
export function showCommand(): Command {
  const command = listedCommand('show')
    .argument('<id>', 'session or council id')
    .option('--json', 'print the view and transcript as JSON');
  withConversationOptions(command);
  withConnectionOptions(command);
  return command.action(
    async (id: string, options: ConversationFlags & { json?: boolean } & Record<string, unknown>) => {
      const out = createOutput(options.json === true);
      // Reading takes none of the run's calls: this process exits once it has printed.
      await withServedWorkflow(
        connectionFlags(options),
        id,
        async (found, runtime) => {
          if (found.kind === 'council' && wantsConversation(options)) {
            return await showConversation(runtime.client, found, options, out);
          }
          if (found.kind === 'council') return await showCouncil(runtime.client, found, out);
          if (wantsConversation(options)) {
            throw new CouncilUserError(
              `"${id}" is a session: ${CONVERSATION_FLAGS} read councils only`,
              'drop them to print the session',
            );
          }
          const session = await MultiParticipantSession.attach(runtime.client, id);
          const [view, transcript] = await Promise.all([session.view(), session.transcript(0)]);
          const status = found.description.status.name.toLowerCase();
          // A run that ended mid-round (terminated, failed) still shows that round in its view.
          const open = status === 'running';
          // A session that failed on purpose (a provider policy's refusal, say) says why.
          const reason = status === 'failed' ? await failureMessage(found.handle) : undefined;
          if (out.json) {
            return out.result({
              ...showHeadOf('session', found.description),
              strategy: view.strategy,
              round: view.round,
              closed: view.closed,
              usage: view.usage,
              participants: view.participants.map(({ spec, usage }) => ({
                name: spec.name,
                role: spec.role,
                model: `${spec.model.provider}/${spec.model.model}`,
                priority: spec.priority,
                usage,
              })),
              transcriptDropped: view.transcriptDropped,
              ...(open && view.activeRound && { activeRound: view.activeRound }),
              ...(open && view.roundsWaiting && { roundsWaiting: view.roundsWaiting }),
              ...(view.budget && { budget: view.budget }),
              ...(reason !== undefined && { failure: reason }),
              transcript,
            });
          }
          const names = view.participants.map((p) => `${p.spec.name} (${p.spec.role})`).join(', ');
          out.say(
            `Session ${id}: ${view.strategy}, ${status}, ${view.round} round(s), ${view.usage.totalTokens} tokens`,
          );
          if (reason !== undefined) out.say(printable(`Failed: ${reason}`));
          out.say(printable(`Participants: ${names || 'none'}`));
          if (view.budget) out.say(formatBudget(view.budget));
          const playing = open ? roundInPlay(id, view) : undefined;
          if (playing) out.say(playing);
          if (view.transcriptDropped > 0) {
            out.say(
              `(${view.transcriptDropped} earlier transcript entries are no longer carried: the session keeps ` +
                `the newest ${LIMITS.maxTranscriptChars.toLocaleString('en-US')} characters and its latest ` +
                'round, less when it continues as new; the workflow histories of its earlier runs hold them)',
            );
          }
          // The transcript is what models and people wrote: no escape of theirs reaches the terminal.
          out.say(formatTranscript(transcript, out.width));
        },
        undefined,
        'none',
      );
    },
  );
}

/**
 * What `show` says of a round not over: the transcript holds only the answers in so far, and `attach`
 * follows the round to its end.
 */
export function roundInPlay(
  id: string,
  view: Pick<SessionView, 'activeRound' | 'roundsWaiting'>,
): string | undefined {
  const waiting = view.roundsWaiting ?? 0;
  if (view.activeRound) {
    const states = Object.values(view.activeRound.states);
    const over = states.filter((state) => state !== 'waiting' && state !== 'thinking').length;
    const more = waiting > 0 ? `, and ${waiting} more round(s) asked for wait` : '';
    return `Round ${view.activeRound.round} is being played (${over} of ${states.length} call(s) ended)${more}: \`council attach ${id}\` follows it to its end`;
  }
  if (waiting > 0) {
    return `${waiting} round(s) asked for wait to begin: \`council attach ${id}\` follows the next to its end`;
  }
  return undefined;
}

/** A transcript grouped by round: the message, then each answer with its tokens, wrapped to `width`. */
function formatTranscript(transcript: readonly TranscriptEntry[], width: number | undefined): string {
  const lines: string[] = [];
  for (const entry of transcript) {
    if (entry.role === 'user' || entry.role === 'system') {
      const to = entry.to ? ` (to ${entry.to.join(', ')})` : '';
      lines.push('', `── Round ${entry.round} ── ${entry.role}${to}: ${entry.content}`);
      continue;
    }
    const tokens = entry.tokenUsage ? ` · ${entry.tokenUsage.totalTokens} tokens` : '';
    const worker = entry.servedBy ? ` · worker ${entry.servedBy}` : '';
    const late = entry.late ? ' · late (after the round closed)' : '';
    // As `run` labels it: the role, what kind of call it was if not a plain answer, any downgrade.
    const label = [entry.role, entry.kind, entry.downgradedTo && `downgraded to ${entry.downgradedTo}`]
      .filter(Boolean)
      .join(', ');
    lines.push(
      '',
      `${entry.from} (${label})${entry.status === 'ok' ? '' : ` [${entry.status}]`}${tokens}${worker}${late}`,
    );
    if (entry.error) lines.push(`${entry.error.type}: ${entry.error.message}`);
    if (entry.content) lines.push(entry.content.trim());
  }
  return wrapText(printable(lines.join('\n')), width);
}

/** `council list`: sessions and councils, filtered by the search attributes they set. */
export function listCommand(): Command {
  const command = listedCommand('list')
    .addOption(
      new Option('--status <status>', 'CouncilStatus: a session or council status').choices(STATUS_NAMES),
    )
    .addOption(
      new Option('--strategy <name>', 'CouncilStrategy: a session strategy or council mode').choices(
        STRATEGY_NAMES,
      ),
    )
    .addOption(new Option('--kind <kind>', 'CouncilKind').choices(['session', 'council']))
    .option(
      '--min-cost-usd <n>',
      'CouncilCostUsd: sessions and councils with a budget that spent at least this many dollars',
    )
    .option('--limit <n>', 'at most this many: running ones first, then the most recently closed', '20')
    .option('--json', 'print JSON');
  withConnectionOptions(command);
  return command.action(async (options: Record<string, string | boolean | undefined>) => {
    const status = options.status as string | undefined;
    const minCostUsd = options.minCostUsd === undefined ? undefined : Number(options.minCostUsd);
    if (minCostUsd !== undefined && !(Number.isFinite(minCostUsd) && minCostUsd >= 0)) {
      throw new CouncilUserError('--min-cost-usd takes a number of dollars, e.g. --min-cost-usd 0.5');
    }
    const limit = Number(options.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LISTED_RUNS)
      throw new CouncilUserError(`--limit takes a whole number from 1 to ${MAX_LISTED_RUNS}`);
    const out = createOutput(options.json === true);
    const runtime = await openRuntime(connectionFlags(options));
    try {
      const { query, runs } = await listRuns(runtime.client, {
        ...(options.kind && { kind: options.kind as 'session' | 'council' }),
        ...(status !== undefined && { status }),
        ...(options.strategy && { strategy: String(options.strategy) }),
        ...(minCostUsd !== undefined && { minCostUsd }),
        limit,
      });
      // A run without a CLI question shows an empty one.
      const rows = runs.map((row) => ({ ...row, question: row.question ?? '' }));
      if (out.json) return out.result({ type: 'run-list', query, items: rows });
      if (rows.length === 0) out.say('No sessions or councils match.');
      else
        out.say(
          formatTable(
            ['ID', 'KIND', 'STRATEGY', 'STATUS', 'WORKFLOW', 'STARTED (UTC)', 'TOKENS', 'COST', 'QUESTION'],
            rows.map((r) => [
              r.id,
              r.kind,
              r.strategy,
              r.councilStatus,
              r.workflowStatus,
              r.startedAt.replace('T', ' ').slice(0, 19),
              r.tokens ?? '',
              r.costUsd === null ? '' : formatUsd(r.costUsd),
              r.question.length > 40 ? `${r.question.slice(0, 39)}…` : r.question,
            ]),
          ),
        );
      out.say(`Temporal UI filter: ${query}`);
    } finally {
      await runtime.close();
    }
  });
}
