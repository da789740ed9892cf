import type { ConversationContextRef, CouncilWorkflowResult, ExpertMessageData } from '../../common/council';
import type { ShownTurnRef } from '../../common/debate';
import {
  conversationContextFor,
  formatHistory,
  shortenHistory,
  type HistoryFormat,
} from '../../workflows/council/history';

/** One turn of an expert as a result gives it: what its prompt's history held, and what it said. */
export interface ShownTurn<Message> {
  round: number;
  /** `answer`: a position (opening, rebuttal, debate turn); `critique`: a critique of positions. */
  phase: ShownTurnRef['phase'];
  /** The messages the expert was shown, oldest first (those left out of the result are missing). */
  messages: Message[];
  /** The history exactly as its prompt held it. */
  conversationHistory: string;
  /** The id of the message it answered with; absent when its call failed. */
  answerId?: string;
  /** Set when the result left this turn's ids out to stay small: how many it had. */
  idsLeftOut?: number;
}

/** The seed's `ConversationContext`, as this library fills it: what one expert was shown. */
export interface ShownContext<Message> {
  /** What the expert was shown at its latest turn. */
  messages: Message[];
  /** The latest position (not critique) of every expert among those messages, by expert id. */
  previousResponses: Record<string, string>;
  /** The history of its latest turn, exactly as its prompt held it. */
  conversationHistory: string;
  /** The round of its latest turn (0: it took none). */
  round: number;
  /** Every turn it took, in order: one per round it spoke in. */
  turns: Array<ShownTurn<Message>>;
}

/** The latest position of every expert among `shown`: its answers, not its critiques, nor people's messages. */
function positionsOf(
  shown: readonly ExpertMessageData[],
  positionIds: ReadonlySet<string>,
): Record<string, string> {
  const positions: Record<string, string> = {};
  for (const message of shown) if (positionIds.has(message.id)) positions[message.sender] = message.content;
  return positions;
}

/**
 * Every expert's context from a result's `contextRefs`. A result of an older worker has no
 * `turns`: its context is then what the expert could see at the end, as that worker recorded it.
 */
export function shownContexts<Message>(
  data: Pick<CouncilWorkflowResult, 'outputs'> & { messages: ExpertMessageData[] },
  contextRefs: Record<string, ConversationContextRef>,
  toMessage: (message: ExpertMessageData) => Message,
): Record<string, ShownContext<Message>> {
  const byId = new Map(data.messages.map((message) => [message.id, message]));
  const nameOf = (id: string) => data.outputs[id]?.expertName;
  const allTurns = Object.values(contextRefs).flatMap((ref) => ref.turns ?? []);
  const positionIds = new Set(
    allTurns.flatMap((t) => (t.phase === 'answer' && t.answerId ? [t.answerId] : [])),
  );
  const entries = Object.entries(contextRefs).map(([expertId, ref]) => {
    const format: HistoryFormat = { nameOf, showIds: ref.showIds };
    const resolve = (ids: readonly string[]) => ids.flatMap((id) => byId.get(id) ?? []);
    if (!ref.turns) {
      const seen = resolve(ref.messageIds);
      const stored = conversationContextFor(seen, expertId, ref.round, seen.length, format);
      return [expertId, { ...stored, messages: stored.messages.map(toMessage), turns: [] }] as const;
    }
    const turns = ref.turns.map((turn) => {
      const shown = resolve(turn.messageIds);
      // A turn fitted to its share held its messages shortened the same way.
      const conversationHistory =
        turn.historyBytes === undefined
          ? formatHistory(shown, format)
          : shortenHistory(shown, format, turn.historyBytes).text;
      return { turn, shown, conversationHistory };
    });
    const latest = turns.at(-1);
    const context: ShownContext<Message> = {
      messages: (latest?.shown ?? []).map(toMessage),
      previousResponses: positionsOf(latest?.shown ?? [], positionIds),
      conversationHistory: latest?.conversationHistory ?? '',
      round: latest?.turn.round ?? 0,
      turns: turns.map(({ turn, shown, conversationHistory }) => ({
        round: turn.round,
        phase: turn.phase,
        messages: shown.map(toMessage),
        conversationHistory,
        ...(turn.answerId !== undefined && { answerId: turn.answerId }),
        ...(turn.idsLeftOut !== undefined && { idsLeftOut: turn.idsLeftOut }),
      })),
    };
    return [expertId, context] as const;
  });
  return Object.fromEntries(entries);
}

/** Every expert's context in `--json` output: what it was shown, by message id (docs/json.md). */
export function shownContextsJson(contexts: Record<string, ShownContext<{ id: string }>>) {
  const json = (context: ShownContext<{ id: string }>) => ({
    round: context.round,
    previousResponses: context.previousResponses,
    turns: context.turns.map((turn) => ({
      round: turn.round,
      phase: turn.phase,
      shownMessageIds: turn.messages.map((message) => message.id),
      ...(turn.answerId !== undefined && { answerId: turn.answerId }),
      ...(turn.idsLeftOut !== undefined && { idsLeftOut: turn.idsLeftOut }),
    })),
  });
  return Object.fromEntries(Object.entries(contexts).map(([id, context]) => [id, json(context)]));
}
