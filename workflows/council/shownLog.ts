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
    const turnsOf = (expert: Expert) => this.byExpert.get(expert.id) ?? [];
    // A latest turn's ids are in the result twice: in its turn and as the ref's `messageIds`.
    const latest = new Set(experts.flatMap((expert) => turnsOf(expert).at(-1) ?? []));
    const kept = new Map<ShownTurnRef, ShownTurnRef>();
    // Newest rounds first: they hold the latest views, which the top-level fields show.
    for (const turn of experts.flatMap(turnsOf).sort((a, b) => b.round - a.round)) {
      const cost = turn.messageIds.length * (latest.has(turn) ? 2 : 1);
      const fits = cost <= budget;
      budget -= fits ? cost : 0;
      kept.set(turn, fits ? turn : { ...turn, messageIds: [], idsLeftOut: turn.messageIds.length });
    }
    const refs = experts.map((expert) => {
      const turns = turnsOf(expert).map((turn) => kept.get(turn) ?? turn);
      const last = turns.at(-1);
      const ref: ConversationContextRef = {
        messageIds: last?.messageIds ?? [],
        round: last?.round ?? 0,
        showIds: expert.canSendMessages === true,
        turns,
      };
      return [expert.id, ref] as const;
    });
    return Object.fromEntries(refs);
  }
}
