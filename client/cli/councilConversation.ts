import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { filterMessages, type ConversationMessage } from '../../common/conversation';
import { conversationStats, EVERYONE, type ConversationStats } from '../../common/conversationStats';
import { MESSAGE_TYPES } from '../../common/council';
import { audienceLine, replyLine } from '../../common/councilRouting';
import { checkFilter, readConversation } from '../api/conversation';
import { savedConversationOf, writeConversation } from '../api/conversationFile';
import { CouncilUserError } from '../../common/userError';
import { messageJsonOf, showHeadOf } from './jsonOutput';
import { formatTable, type Output } from './output';
import { printable } from '../../common/printable';
import type { FoundRun } from '../api/runs';
import { wrapText } from './wrap';

/** `show`'s flags that read a council's conversation: filters, `--stats`, `--save`. */
export interface ConversationFlags {
  type?: string;
  from?: string;
  to?: string;
  round?: string;
  relevantTo?: string;
  minRelevance?: string;
  stats?: boolean;
  save?: string;
}

/** `show`'s flags that read a council's conversation, as its errors name them (its help line, in commands.json, too). */
export const CONVERSATION_FLAGS = '--type, --from, --to, --round, --relevant-to, --stats, --save';

/** The flag that gives each field of a message filter, for its errors. */
const FILTER_FLAGS = {
  types: '--type',
  from: '--from',
  to: '--to',
  rounds: '--round',
  relevantTo: '--relevant-to',
  minRelevance: '--min-relevance',
} as const;

/** Adds the flags of {@link ConversationFlags} to `show`, each with its help line. */
export function withConversationOptions(command: Command): Command {
  return command
    .option('--type <types>', `a council's messages of these types only, e.g. critique,agreement`)
    .option('--from <ids>', 'messages these experts (or "human") sent only, e.g. analyst,critic')
    .option('--to <ids>', 'messages that reached these experts only (sent to them, or broadcast)')
    .option(
      '--round <rounds>',
      'messages of these rounds only, e.g. 1,2 (carried messages keep their rounds)',
    )
    .option(
      '--relevant-to <words>',
      'messages about these words only (holding one of their terms), each scored by the share it holds',
    )
    .option('--min-relevance <share>', 'with --relevant-to: the least share of its words, e.g. 0.5')
    .option(
      '--stats',
      'messages per expert and type, who critiques or agrees with whom, tokens and time per round',
    )
    .option('--save <file>', "write the council's (filtered) conversation to a JSON file for `run --from`");
}

/** Whether any of `flags` asks for the conversation view instead of the council's result. */
export function wantsConversation(flags: ConversationFlags): boolean {
  const { type, from, to, round, relevantTo, minRelevance, stats, save } = flags;
  const given = [type, from, to, round, relevantTo, minRelevance, save];
  return given.some((flag) => flag !== undefined) || stats === true;
}

const listOf = (value: string | undefined) =>
  value === undefined ? undefined : value.split(',').map((part) => part.trim());

/** The filter the flags ask for, unchecked: comma-separated lists, rounds as numbers. */
export function filterOfFlags(flags: ConversationFlags): Record<string, unknown> {
  const rounds = listOf(flags.round)?.map((part) => {
    const round = Number(part);
    if (part === '' || !Number.isInteger(round)) {
      throw new CouncilUserError(
        `--round "${part}" is not a round number`,
        'use whole numbers separated by commas, e.g. --round 1,2 (carried messages keep their rounds)',
      );
    }
    return round;
  });
  const minRelevance = flags.minRelevance === undefined ? undefined : Number(flags.minRelevance);
  if (Number.isNaN(minRelevance)) {
    const hint = 'give a share of the words above 0 and at most 1, e.g. --min-relevance 0.5';
    throw new CouncilUserError(`--min-relevance "${flags.minRelevance}" is not a number`, hint);
  }
  if (minRelevance !== undefined && flags.relevantTo === undefined) {
    throw new CouncilUserError(
      '--min-relevance needs --relevant-to: the words to match',
      'e.g. --relevant-to "overtime costs" --min-relevance 0.5',
    );
  }
  const filter = {
    types: listOf(flags.type),
    from: listOf(flags.from),
    to: listOf(flags.to),
    rounds,
    relevantTo: flags.relevantTo,
    minRelevance,
  };
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));
}

/**
 * `show ID --type/--from/--to/--round/--relevant-to/--stats/--save`: the council's messages the filter keeps,
 * its communication patterns, and the (filtered) conversation saved to a file.
 */
export async function showConversation(
  client: Client,
  found: FoundRun,
  flags: ConversationFlags,
  out: Output,
): Promise<void> {
  const id = found.description.workflowId;
  const conversation = await readConversation(client, id);
  const filter = checkFilter(filterOfFlags(flags), conversation, FILTER_FLAGS);
  const messages = filterMessages(conversation.messages, filter);
  const stats = flags.stats ? conversationStats(conversation.messages, conversation.events) : undefined;
  if (flags.save !== undefined) {
    const saved = savedConversationOf(conversation, filter, messages, new Date());
    writeConversation(flags.save, saved);
    const empty =
      messages.length === 0 ? ': no council can go on from it (`run --from` needs a message)' : '';
    out.say(`Saved ${messages.length} message(s) of ${id} to ${flags.save}${empty}`);
  }
  if (out.json) {
    const { mode, task, rounds } = conversation;
    return out.result({
      ...showHeadOf('council', found.description),
      mode,
      task,
      rounds,
      filter,
      messages: messages.map(messageJsonOf),
      ...(stats && { stats }),
      ...(flags.save !== undefined && { savedTo: flags.save }),
    });
  }
  const filtering = Object.keys(filter).length > 0;
  if (filtering || (!stats && flags.save === undefined)) {
    out.say(`Council ${id}: ${messages.length} of ${conversation.messages.length} message(s)`);
    out.say(formatMessages(messages, out.width, conversation.messages));
  }
  if (stats) out.say(formatStats(stats));
}

/**
 * Each message under a heading: round, sender, type, to whom (a role, a group or a list too) and the
 * message it answers, looked up in `all` (the whole conversation, when `messages` is a filtered part).
 */
export function formatMessages(
  messages: readonly ConversationMessage[],
  width: number | undefined,
  all: readonly ConversationMessage[] = messages,
): string {
  const byId = new Map(all.map((message) => [message.id, message]));
  const blocks = messages.map((message) => {
    const carried = message.carried === true ? ' (carried over)' : '';
    const round = message.round === 0 ? 'carried over' : `round ${message.round}${carried}`;
    const relevance = message.relevance === undefined ? '' : ` · relevance ${message.relevance}`;
    const head = `── ${round} · ${message.senderName} (${message.sender}) [${message.type}] ${audienceLine(message)}${replyLine(message.replyTo, (id) => byId.get(id))}${relevance} ──`;
    return `\n${head}\n${message.content}`;
  });
  // Models and people wrote these: no escape of theirs reaches the terminal.
  return wrapText(printable(blocks.join('\n')), width);
}

/** The stats as three tables: participants, who answers whom, rounds. */
export function formatStats(stats: ConversationStats): string {
  const participants = formatTable(
    ['PARTICIPANT', 'MESSAGES', ...MESSAGE_TYPES.map((type) => type.toUpperCase()), 'TOKENS'],
    Object.entries(stats.byParticipant).map(([id, p]) => [
      `${p.name} (${id})`,
      p.messages,
      ...MESSAGE_TYPES.map((type) => p.byType[type]),
      p.tokens.totalTokens,
    ]),
  );
  const interactions = stats.interactions.length
    ? formatTable(
        ['FROM', 'TO', 'TYPE', 'COUNT'],
        stats.interactions.map((i) => [i.from, i.to === EVERYONE ? 'everyone' : i.to, i.type, i.count]),
      )
    : 'No critiques, agreements, questions or clarifications.';
  const rounds = formatTable(
    ['ROUND', 'MESSAGES', 'CALLS', 'FAILED', 'TOKENS', 'SECONDS'],
    stats.rounds.map((r) => [
      r.carried === undefined ? r.round : `${r.round} (${r.carried} carried over)`,
      r.messages,
      r.calls,
      r.failedCalls,
      r.tokens.totalTokens,
      r.durationMs === undefined ? '-' : (r.durationMs / 1000).toFixed(1),
    ]),
  );
  return printable(
    [
      `\n── Messages by participant (${stats.messages} in all) ──`,
      participants,
      '\n── Who answers whom ──',
      interactions,
      '\n── Rounds ──',
      rounds,
    ].join('\n'),
  );
}
