import {
  agreementOf,
  parseStance,
  type ConvergenceConfig,
  type ConvergenceResult,
  type Stance,
  type DebateStopReason,
} from '../../common/convergence';

/**
 * Patch id of the convergence stop. Only a debate configured with `convergence` calls `patched()`
 * (no earlier history holds one: the schema refused the key), so every other council records no
 * marker and replays as before.
 */
export const DEBATE_CONVERGENCE_PATCH = 'debate-convergence';

/** What the watch reads after a round of positions: who is debating, what each last answered. */
export interface PositionsRead {
  /** Ids of the experts still debating, in order. */
  experts: readonly string[];
  /** Each expert's answer of this round; an expert that did not answer has none. */
  answers: Readonly<Record<string, string | undefined>>;
  /** Tokens the experts have used so far. */
  tokensUsed: number;
}

/**
 * Follows a debate's stated stances round by round and says when it should stop: at consensus
 * (the most common position's share reaches the threshold) or when it oscillates (every expert
 * stated a stance and the set of positions, by expert, equals one of an earlier round). Agreement
 * is computed here, deterministically: no model is asked.
 */
export class ConvergenceWatch {
  private readonly seen: string[] = [];
  private last: { agreement: number; position?: string; stances: Record<string, Stance | undefined> } = {
    agreement: 0,
    stances: {},
  };
  private rounds = 0;
  private tokensUsed = 0;

  constructor(
    private readonly config: ConvergenceConfig,
    private readonly maxRounds: number,
  ) {}

  /** The opening positions are an independent vote, taken at once. */
  get voteFirst(): boolean {
    return this.config.voteFirst;
  }

  /** Reads one round's positions; returns why the debate stops now, or undefined to go on. */
  observe(read: PositionsRead): Exclude<DebateStopReason, 'round-cap'> | undefined {
    this.rounds += 1;
    this.tokensUsed = read.tokensUsed;
    const stances: Record<string, Stance | undefined> = {};
    for (const id of read.experts) stances[id] = parseStance(read.answers[id] ?? '');
    this.last = { ...agreementOf(read.experts, stances), stances };
    if (this.last.agreement >= this.config.threshold) return 'consensus';
    if (read.experts.some((id) => stances[id] === undefined)) return undefined;
    const key = JSON.stringify(read.experts.map((id) => [id, stances[id]?.position]));
    const repeated = this.seen.includes(key);
    this.seen.push(key);
    return repeated ? 'oscillation' : undefined;
  }

  /** The result's `convergence` field once the debate has stopped for `reason`. */
  result(reason: DebateStopReason): ConvergenceResult {
    const skipped = this.maxRounds - this.rounds;
    const perRound = this.rounds > 0 ? this.tokensUsed / this.rounds : 0;
    const stances = Object.fromEntries(
      Object.entries(this.last.stances).map(([id, stance]) => [id, stance ?? null]),
    );
    return {
      stopReason: reason,
      debateRounds: this.rounds,
      roundsSkipped: skipped,
      agreement: Math.round(this.last.agreement * 1000) / 1000,
      ...(this.last.position !== undefined && { position: this.last.position }),
      tokensSaved: Math.round(perRound * skipped),
      stances,
    };
  }
}
