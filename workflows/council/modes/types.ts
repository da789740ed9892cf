import type { CouncilMode, Expert } from '../../../common/council';
import type { ConvergenceResult } from '../../../common/convergence';
import type { ConvergenceWatch, PositionsRead } from '../convergence';
import type { PhaseSpec } from '../prompt';

/** What a mode may do: number rounds, give experts turns, pause between rounds. */
export interface ModeContext {
  /** The experts in the order the caller listed them. */
  readonly experts: readonly Expert[];
  /** Adversarial mode: how many rounds of positions followed by critiques. */
  readonly debateRounds: number;
  /** The experts that have not failed, in order: a failed expert sits out the rest of the council. */
  active(): Expert[];
  /**
   * True once the budget is spent (runs recorded before patch `budget-ends-rounds` never say so):
   * no later round opens, and a debate reads no more positions.
   */
  spent(): boolean;
  /**
   * Opens the next round, reports it as the status, and returns its number; first, when the
   * council asks for it, waits for a person after the round before. Once {@link spent}, it opens
   * none and returns the round before.
   */
  beginRound(detail: string): Promise<number>;
  /**
   * One expert's turn in the current round, shown every message it may see; resolves to whether
   * the expert answered. Never throws.
   */
  turn(expert: Expert, phase: PhaseSpec): Promise<boolean>;
  /**
   * Waits for turns taken at once: for all of them, or, under a quorum or deadline, until the round
   * closes. Turns still running then go on and are recorded late when they end.
   */
  gather(turns: Array<Promise<boolean>>): Promise<void>;
  /**
   * Closes the round. A council that waits for a person does so when the next round opens, so not
   * after the last (histories from before patch `last-round-wait` wait here).
   */
  endRound(): Promise<void>;
  /** Adversarial mode: a watch for the convergence stop, when the council configures one. */
  convergenceWatch(): ConvergenceWatch | undefined;
  /** The answers of the current round and the experts' tokens so far, for the watch. */
  readPositions(): PositionsRead;
  /** Puts how the debate ended into the result. */
  concluded(result: ConvergenceResult): void;
}

/** One council mode: a deterministic function over {@link ModeContext}. */
export interface CouncilModeRunner {
  readonly name: CouncilMode;
  run(context: ModeContext): Promise<void>;
}
