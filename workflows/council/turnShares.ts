import type { CouncilContext, Expert } from '../../common/council';
import { LIMITS } from '../../common/defaults';

/**
 * What all expert turns of one council run may carry together. A council does not continue-as-new:
 * every turn's prompt (an activity input) and answer (its result) stay in one run's history, which
 * the server terminates at 50 MB. A 20-round debate of four experts answering 10 KB each measured
 * ~45 MB of prompts alone, the history shown to each turn growing to its 40 latest messages. Shared
 * out over the turns a run plans, the histories shown and the answers stay within these, and the
 * review, synthesis and result (bounded on their own) stay well inside the limit beside them.
 */
export const COUNCIL_RUN_LIMITS = {
  /** The histories shown in every expert turn's prompt, a hedge backup's copy counted too. */
  historyBytes: 24 * 1024 * 1024,
  /** Every answer of every turn. */
  answerBytes: 8 * 1024 * 1024,
  /** No answer is capped below this (the activity's own floor), however many turns a run plans. */
  minAnswerBytes: 1024,
} as const;

/** Turns each expert takes in a council: one, or one or two a round in a debate. */
export function turnsOf(context: Pick<CouncilContext, 'mode' | 'debateStyle' | 'debateRounds'>): number {
  if (context.mode !== 'adversarial') return 1;
  // Phased debates take a position and a critique each round; the seed's turns, one turn a round.
  return context.debateStyle === 'turns' ? context.debateRounds : 2 * context.debateRounds;
}

/** The calls one expert's turn makes at most: its own, and its hedge backup's. */
const callsPerTurn = (context: CouncilContext, expert: Expert) => ((expert.hedge ?? context.hedge) ? 2 : 1);

/** Bytes of one expert turn: the history its prompt shows, and its answer's cap. */
export interface TurnShares {
  historyBytes: number;
  answerBytes: number;
}

/**
 * Equal shares of the run's and the round's budgets (LIMITS.maxRoundPromptBytes and
 * maxRoundAnswerBytes, as a session's) among the calls a council plans (every expert's every turn,
 * hedged ones twice), each at most what one call may carry anyway.
 */
export function turnShares(context: CouncilContext): TurnShares {
  const perRound = context.activeExperts.reduce((sum, expert) => sum + callsPerTurn(context, expert), 0);
  const calls = Math.max(1, perRound * turnsOf(context));
  const round = Math.max(1, perRound);
  return {
    historyBytes: Math.floor(
      Math.min(LIMITS.maxRoundPromptBytes / round, COUNCIL_RUN_LIMITS.historyBytes / calls),
    ),
    answerBytes: Math.max(
      COUNCIL_RUN_LIMITS.minAnswerBytes,
      Math.floor(
        Math.min(
          LIMITS.maxAnswerBytes,
          COUNCIL_RUN_LIMITS.answerBytes / calls,
          LIMITS.maxRoundAnswerBytes / round,
        ),
      ),
    ),
  };
}
