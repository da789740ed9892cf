import { MESSAGE_TYPES, type ExpertMessageType } from './council';
import type { ProgressEvent } from './councilApi';
import type { ConversationMessage } from './conversation';
import { addressLabel } from './councilRouting';
import { addUsage, ZERO_USAGE, type TokenUsage } from './llm';

// The seed's "Analytics: analyze communication patterns", as one pure function over a council's
// conversation and progress log (docs/json.md "stats").

/** The `to` of an interaction addressed to no one in particular: a broadcast that replies to no message. */
export const EVERYONE = '*';

/** One participant's part: messages sent, by type, and the tokens of its calls. */
export interface ParticipantStats {
  name: string;
  messages: number;
  byType: Record<ExpertMessageType, number>;
  tokens: TokenUsage;
}

/** How often `from` sent `to` a message of `type` (a critique, an agreement, a question, ...). */
export interface InteractionStats {
  from: string;
  to: string;
  type: ExpertMessageType;
  count: number;
}

/** One round: its messages, its model calls (failed ones too), their tokens and how long it took. */
export interface RoundStats {
  round: number;
  messages: number;
  /** How many of its messages were carried over from an earlier conversation; absent when none. */
  carried?: number;
  calls: number;
  failedCalls: number;
  tokens: TokenUsage;
  /** From the first call's start to the last call's end; absent for a round without calls. */
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
}

/** A council's communication patterns. */
export interface ConversationStats {
  messages: number;
  byType: Record<ExpertMessageType, number>;
  /** By sender id ("human" for people). */
  byParticipant: Record<string, ParticipantStats>;
  /** Who wrote to whom, every type but `response`, most frequent first. */
  interactions: InteractionStats[];
  rounds: RoundStats[];
}

function noTypes(): Record<ExpertMessageType, number> {
  return Object.fromEntries(MESSAGE_TYPES.map((type) => [type, 0])) as Record<ExpertMessageType, number>;
}

/**
 * Whom a message answers: its address (a recipient, `role:critic`, `group:core`, a list), else the
 * sender of the message it replies to, else {@link EVERYONE}. Undefined when that is its own sender
 * (a message kept private to itself).
 */
function addresseeOf(message: ConversationMessage, byId: ReadonlyMap<string, ConversationMessage>) {
  const to = addressLabel(message) ?? byId.get(message.replyTo ?? '')?.sender ?? EVERYONE;
  return to === message.sender ? undefined : to;
}

/** Messages per participant and type, who answers whom, and tokens and time per round. */
export function conversationStats(
  conversation: readonly ConversationMessage[],
  events: readonly ProgressEvent[],
): ConversationStats {
  const byType = noTypes();
  const byParticipant: Record<string, ParticipantStats> = {};
  const participant = (id: string, name: string) =>
    (byParticipant[id] ??= { name, messages: 0, byType: noTypes(), tokens: { ...ZERO_USAGE } });
  const byId = new Map(conversation.map((message) => [message.id, message]));
  const interactions = new Map<string, InteractionStats>();
  const rounds = new Map<number, RoundStats>();
  const round = (n: number): RoundStats => {
    const known = rounds.get(n);
    if (known) return known;
    const stats = { round: n, messages: 0, calls: 0, failedCalls: 0, tokens: { ...ZERO_USAGE } };
    rounds.set(n, stats);
    return stats;
  };

  for (const message of conversation) {
    byType[message.type] += 1;
    const sender = participant(message.sender, message.senderName);
    sender.messages += 1;
    sender.byType[message.type] += 1;
    const inRound = round(message.round);
    inRound.messages += 1;
    if (message.carried === true) inRound.carried = (inRound.carried ?? 0) + 1;
    const to = message.type === 'response' ? undefined : addresseeOf(message, byId);
    if (to === undefined) continue;
    const key = JSON.stringify([message.sender, to, message.type]);
    const known = interactions.get(key) ?? { from: message.sender, to, type: message.type, count: 0 };
    known.count += 1;
    interactions.set(key, known);
  }
  for (const event of events) {
    if (event.kind !== 'expert') continue;
    const stats = round(event.round);
    if (event.state === 'thinking') {
      stats.calls += 1;
      stats.startedAt ??= event.at;
      continue;
    }
    if (event.state === 'failed') stats.failedCalls += 1;
    const usage = event.tokenUsage ?? ZERO_USAGE;
    stats.tokens = addUsage(stats.tokens, usage);
    const expert = participant(event.expertId, event.expertName);
    expert.tokens = addUsage(expert.tokens, usage);
    if (stats.endedAt === undefined || event.at > stats.endedAt) stats.endedAt = event.at;
  }
  for (const stats of rounds.values()) {
    if (stats.startedAt !== undefined && stats.endedAt !== undefined) {
      stats.durationMs = Date.parse(stats.endedAt) - Date.parse(stats.startedAt);
    }
  }
  return {
    messages: conversation.length,
    byType,
    byParticipant,
    // Ties in the order of first appearance: Array.prototype.sort is stable.
    interactions: [...interactions.values()].sort((a, b) => b.count - a.count),
    rounds: [...rounds.values()].sort((a, b) => a.round - b.round),
  };
}
