import type { z } from 'zod';
import type { TurnPhase } from './councilApi';
import { laterCheck } from './laterChecks';
import { addProblem, checkModeOnly } from './validation';

/**
 * How an adversarial council debates. `phased` (the default): each round every expert states a
 * position, then every expert critiques. `turns`: the seed's "Adversarial Mode Flow", one expert
 * per round, each turn answering the ones before it: initial position, counter-argument, rebuttals,
 * final argument.
 */
export const DEBATE_STYLES = ['phased', 'turns'] as const;
export type DebateStyle = (typeof DEBATE_STYLES)[number];

/**
 * One turn of an expert, in a council's result: what it was shown and what it said. The ids name
 * messages of the result's `messages`; one left out of the result (see `bounded`) is simply missing.
 */
export interface ShownTurnRef {
  round: number;
  /** `answer`: a position (opening, rebuttal, debate turn); `critique`: a critique of positions. */
  phase: TurnPhase;
  /** The messages its prompt's history held, oldest first. */
  messageIds: string[];
  /** The message it answered with; absent when its call failed. */
  answerId?: string;
  /** Set when the result left this turn's ids out to stay small: how many it had. */
  idsLeftOut?: number;
  /** Set when its history was fitted to this many bytes (workflows/council/history.ts `fitHistory`). */
  historyBytes?: number;
}

/**
 * Rounds and a style belong to a debate; the convergence watch reads rounds of positions, which
 * turns lack.
 */
export function checkDebateSettings(
  context: { mode: string; debateRounds?: number | undefined; debateStyle?: string; convergence?: unknown },
  ctx: z.RefinementCtx,
): void {
  // A run begun before this check took debateRounds in every mode: the schema filled it in.
  if (context.debateRounds !== undefined && !laterCheck(context.mode === 'adversarial')) {
    checkModeOnly(ctx, ['debateRounds'], ['adversarial'], context.mode, ': remove it');
  }
  if (context.debateStyle === undefined) return;
  checkModeOnly(ctx, ['debateStyle'], ['adversarial'], context.mode, ': remove it');
  if (context.mode === 'adversarial' && context.debateStyle === 'turns' && context.convergence) {
    addProblem(
      ctx,
      ['convergence'],
      'convergence works with debateStyle "phased" only: remove convergence or debateStyle "turns"',
    );
  }
}
