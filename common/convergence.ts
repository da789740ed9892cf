import { z } from 'zod';

/** Bounds of a convergence threshold: below a majority, "consensus" would mean nothing. */
export const CONVERGENCE_LIMITS = { minThreshold: 0.5, maxThreshold: 1, defaultThreshold: 0.67 } as const;

/** The line an expert ends a position turn with; the workflow reads the last one in its answer. */
export const STANCE_PREFIX = 'STANCE:';

/** Characters of a normalised position: a label, not an essay. */
const MAX_POSITION_CHARS = 200;

/**
 * Adversarial mode: the debate stops before `debateRounds` when the experts' stated positions agree
 * (`threshold` is the share of experts that must hold the same position) or repeat a set seen before.
 */
export const convergenceConfigSchema = z
  .object({
    threshold: z
      .number({ error: 'convergence.threshold must be a number between 0.5 and 1, e.g. 0.67' })
      .min(CONVERGENCE_LIMITS.minThreshold, 'convergence.threshold must be at least 0.5 (a majority)')
      .max(CONVERGENCE_LIMITS.maxThreshold, 'convergence.threshold must be at most 1 (everyone agrees)')
      .default(CONVERGENCE_LIMITS.defaultThreshold),
    /**
     * "Vote first, debate only on disagreement": the opening positions are taken at once, none
     * seeing another, and at consensus the debate never starts.
     */
    voteFirst: z.boolean().default(false),
  })
  .strict();
export type ConvergenceConfig = z.infer<typeof convergenceConfigSchema>;

/** One expert's stance, as stated on its STANCE line. */
export const stanceSchema = z.object({
  position: z.string().trim().min(1).max(MAX_POSITION_CHARS),
  confidence: z.number().min(0).max(1),
});
export type Stance = z.infer<typeof stanceSchema>;

/** Why a debate with `convergence` stopped. */
export type DebateStopReason = 'consensus' | 'oscillation' | 'round-cap';

/** What the result says of a debate with `convergence`. */
export interface ConvergenceResult {
  stopReason: DebateStopReason;
  /** Debate rounds begun (the last one ends after its positions when the debate stops early). */
  debateRounds: number;
  /** Debate rounds of `debateRounds` (config) not run. */
  roundsSkipped: number;
  /** Share of experts holding the most common position in the last round, 0..1. */
  agreement: number;
  /** The most common position then (normalised), if any expert stated one. */
  position?: string;
  /**
   * An estimate: the experts' tokens per debate round so far times the rounds skipped (the cut
   * critique phase of the last round is not counted).
   */
  tokensSaved: number;
  /** Each expert's latest stance, by expert id; null when it stated none that could be read. */
  stances: Record<string, Stance | null>;
}

/** Case and whitespace do not make a different position. */
export function normalisePosition(position: string): string {
  return position.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * The stance on the last `STANCE: {...}` line of an answer, or undefined when there is none or it
 * does not parse: a missing stance never fails the run, it only counts as not agreeing.
 */
export function parseStance(answer: string): Stance | undefined {
  const lines = answer.split('\n').filter((line) => line.trim().startsWith(STANCE_PREFIX));
  const last = lines.at(-1);
  if (last === undefined) return undefined;
  try {
    const parsed = stanceSchema.safeParse(JSON.parse(last.trim().slice(STANCE_PREFIX.length)));
    return parsed.success ? { ...parsed.data, position: normalisePosition(parsed.data.position) } : undefined;
  } catch {
    return undefined; // not JSON: the expert stated no readable stance
  }
}

/**
 * Agreement among `experts` (ids): the share of them holding the most common position, unweighted
 * by confidence; an expert without a stance counts in the denominator. Ties between positions break
 * by the position's text, so the answer is deterministic.
 */
export function agreementOf(
  experts: readonly string[],
  stances: Readonly<Record<string, Stance | undefined>>,
): { agreement: number; position?: string } {
  const counts = new Map<string, number>();
  for (const id of experts) {
    const position = stances[id]?.position;
    if (position !== undefined) counts.set(position, (counts.get(position) ?? 0) + 1);
  }
  const [top] = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (!top || experts.length === 0) return { agreement: 0 };
  return { agreement: top[1] / experts.length, position: top[0] };
}
