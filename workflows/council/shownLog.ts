import type { ConversationContextRef, Expert } from '../../common/council';
import type { TurnPhase } from '../../common/councilApi';
import type { ShownTurnRef } from '../../common/debate';

/**
 * How many shown message ids a council's result holds in all. A turn's view is at most
 * maxHistoryMessages ids, but 32 experts debating 20 rounds would put megabytes of ids into a
 * result (itself bounded at LIMITS.maxCouncilResultBytes): past this, the oldest turns keep only
 * their count. About 40 bytes an id: 400 KB at most.
 */
export const MAX_SHOWN_IDS_IN_RESULT = 10_000;

/**
 * What every expert was shown at each of its turns, recorded as its prompt is built (so a message
 * that comes while the call runs is not in it), and what it answered. Workflow state only: it
 * issues no command.
 */
export class ShownLog {
  private readonly byExpert = new Map<string, ShownTurnRef[]>();

  /** Records one turn's view; the returned record takes the answer's id when it comes. */
  shown(expertId: string, round: number, phase: TurnPhase, messageIds: string[]): ShownTurnRef {
    const turn: ShownTurnRef = { round, phase, messageIds };
    const turns = this.byExpert.get(expertId) ?? [];
    turns.push(turn);
    this.byExpert.set(expertId, turns);
    return turn;
  }

  /**
   * Every expert's turns for the result, newest views kept whole within MAX_SHOWN_IDS_IN_RESULT;
   * `messageIds` and `round` are the latest turn's (none yet: empty, round 0).
   */
  refs(experts: readonly Expert[]): Record<string, ConversationContextRef> {
    let budget = MAX_SHOWN_IDS_IN_RESULT;
    const all = experts.flatMap((expert) =>
      (this.byExpert.get(expert.id) ?? []).map((turn) => ({ expert, turn })),
    );
    const kept = new Map<ShownTurnRef, ShownTurnRef>();
    // Newest rounds first: they hold the latest views, which the top-level fields show.
    for (const { turn } of [...all].sort((a, b) => b.turn.round - a.turn.round)) {
      const fits = turn.messageIds.length <= budget;
      budget -= fits ? turn.messageIds.length : 0;
      kept.set(turn, fits ? turn : { ...turn, messageIds: [], idsLeftOut: turn.messageIds.length });
    }
    const refs = experts.map((expert) => {
      const turns = (this.byExpert.get(expert.id) ?? []).map((turn) => kept.get(turn) ?? turn);
      const latest = turns.at(-1);
      const ref: ConversationContextRef = {
        messageIds: latest?.messageIds ?? [],
        round: latest?.round ?? 0,
        showIds: expert.canSendMessages === true,
        turns,
      };
      return [expert.id, ref] as const;
    });
    return Object.fromEntries(refs);
  }
}
