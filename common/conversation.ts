import { z } from 'zod';
import { HUMAN_SENDER_ID, MESSAGE_TYPES, type ExpertMessageData } from './council';
import type { ProgressEvent, TurnPhase } from './councilApi';
import { MAX_RELEVANCE_QUERY_CHARS, relevanceOf, termsOf } from './relevance';

// A council's conversation as its progress log tells it, and the message filter of the library and
// `council show`: pure functions, safe in workflow code, so the CLI, the library and tests share them.

/** The round of a carried-over message that came without one (councils before carried rounds). */
export const CARRIED_OVER_ROUND = 0;

/** A message with the round it was written in and, for an expert's, the phase of the turn. */
export interface ConversationMessage extends ExpertMessageData {
  round: number;
  phase?: TurnPhase;
  /** Carried over from the conversation this council went on from; `round` is its round there. */
  carried?: true;
  /** Filtered with `relevantTo`: the share of its terms this message contains (0 to 1). */
  relevance?: number;
}

/**
 * The messages of a progress log in log order, each with its round: an expert's from the event of
 * the turn that wrote it, a person's from its `human` event, a carried-over one (a `message` event
 * and nothing else) the round it had where it was written ({@link CARRIED_OVER_ROUND} when it came
 * without one), marked carried. Messages the transcript dropped are absent.
 */
export function conversationOf(
  events: readonly ProgressEvent[],
  messages: readonly ExpertMessageData[],
): ConversationMessage[] {
  const byId = new Map(messages.map((message) => [message.id, message]));
  const placed = new Map<string, ConversationMessage>();
  for (const event of events) {
    if (event.kind === 'status') continue;
    const message = byId.get(event.messageId ?? '');
    if (!message || (placed.has(message.id) && event.kind === 'message')) continue;
    if (event.kind === 'expert')
      placed.set(message.id, { ...message, round: event.round, phase: event.phase });
    else if (event.kind === 'human') placed.set(message.id, { ...message, round: event.round });
    else {
      const phase = event.phase !== undefined ? { phase: event.phase } : {};
      const carried = event.carried === true ? { carried: true as const } : {};
      placed.set(message.id, { ...message, round: event.round ?? CARRIED_OVER_ROUND, ...phase, ...carried });
    }
  }
  return [...placed.values()];
}

/** Most values one filter field takes: far above any council's experts, types or rounds. */
const MAX_FILTER_VALUES = 100;

// Issues are read after their field's name (the library's, or the CLI's flag): they do not name it again.
const RELEVANCE_SHARE = 'a share of the words to match, above 0 and at most 1, e.g. 0.5';

const participantId = z.string().trim().min(1, 'an empty id: name an expert id or "human"').max(64);

/** Which messages to keep: each field given keeps only the messages matching one of its values. */
export const messageFilterSchema = z
  .object({
    /** Message types, e.g. ["critique", "agreement"]. */
    types: z
      .array(
        z.enum(MESSAGE_TYPES, {
          error: (issue) =>
            `"${String(issue.input)}" is no message type (types: ${MESSAGE_TYPES.join(', ')})`,
        }),
      )
      .max(MAX_FILTER_VALUES)
      .optional(),
    /** Sender ids: expert ids, or "human" for people's messages. */
    from: z.array(participantId).max(MAX_FILTER_VALUES).optional(),
    /** Expert ids: a direct message to one of them, or a broadcast another sender sent (it reached them). */
    to: z.array(participantId).max(MAX_FILTER_VALUES).optional(),
    /** Rounds: 1 for the first; carried messages keep theirs (0: carried over without one). */
    rounds: z
      .array(
        z
          .number()
          .int('a round is a whole number, e.g. 2')
          .min(0, 'rounds start at 1 (0: carried over without a round)'),
      )
      .max(MAX_FILTER_VALUES)
      .optional(),
    /** Words naming a subject: keeps the messages that contain at least one of their terms (common/relevance.ts). */
    relevantTo: z
      .string()
      .trim()
      .min(1)
      .max(MAX_RELEVANCE_QUERY_CHARS)
      .refine((text) => termsOf(text).size > 0, {
        error: (issue) =>
          `"${String(issue.input)}" has no word to match (only short or common words): name the subject, e.g. "overtime costs"`,
      })
      .optional(),
    /** With relevantTo: the least share of its terms a message must contain, above 0 and at most 1. */
    minRelevance: z.number().gt(0, RELEVANCE_SHARE).max(1, RELEVANCE_SHARE).optional(),
  })
  .strict()
  .refine((filter) => filter.minRelevance === undefined || filter.relevantTo !== undefined, {
    message: 'needs relevantTo: the words to match',
    path: ['minRelevance'],
  });
export type MessageFilter = z.infer<typeof messageFilterSchema>;

/**
 * Whether `message` went to `id`: a direct message to it, one to a role, group or list it is in, or
 * a broadcast someone else sent (as the council's routing delivers them).
 */
function reached(message: ExpertMessageData, id: string): boolean {
  if (message.sender === id) return false;
  if (message.recipients !== undefined) return message.recipients.includes(id);
  return message.recipient === undefined || message.recipient === id;
}

/**
 * The messages the filter keeps, in their order. An empty filter keeps every message. With
 * `relevantTo`, each kept message carries its `relevance`.
 */
export function filterMessages<M extends ConversationMessage>(
  messages: readonly M[],
  filter: MessageFilter,
): M[] {
  const { types, from, to, rounds, relevantTo, minRelevance } = filter;
  const kept = messages.filter(
    (message) =>
      (types === undefined || types.includes(message.type)) &&
      (from === undefined || from.includes(message.sender)) &&
      (to === undefined || to.some((id) => reached(message, id))) &&
      (rounds === undefined || rounds.includes(message.round)),
  );
  if (relevantTo === undefined) return kept;
  const query = termsOf(relevantTo);
  const scored = kept.map((message) => ({ ...message, relevance: relevanceOf(query, message.content) }));
  // Without minRelevance, one shared term is enough.
  return scored.filter((message) => message.relevance > 0 && message.relevance >= (minRelevance ?? 0));
}

/**
 * What in `filter` names no one of this council, one line per problem: a filter on a sender,
 * recipient or round that does not exist would print nothing, and nothing looks like an answer.
 */
export function filterProblems(
  filter: MessageFilter,
  senders: readonly string[],
  expertIds: readonly string[],
  rounds: number,
): string[] {
  const problems: string[] = [];
  for (const id of filter.from ?? []) {
    if (!senders.includes(id) && id !== HUMAN_SENDER_ID) {
      problems.push(
        `from "${id}" is no sender of this council (senders: ${[...new Set([...senders, HUMAN_SENDER_ID])].join(', ')})`,
      );
    }
  }
  // People write to experts; no message is addressed to a person.
  for (const id of filter.to ?? []) {
    if (!expertIds.includes(id)) problems.push(`to "${id}" is no expert (experts: ${expertIds.join(', ')})`);
  }
  for (const round of filter.rounds ?? []) {
    if (round > rounds) problems.push(`round ${round} did not happen (this council ran ${rounds} round(s))`);
  }
  return problems;
}
