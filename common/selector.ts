import { z } from 'zod';
import { modelCallSettings } from './participants';
import { refineLocalCall } from './localCall';

/**
 * Bounds of the selector strategy: every loop and every byte of it. Its speakers share the round's
 * byte budgets like any participants (as `maxTurns` calls); its own calls add at most
 * maxTurns x (promptBytes + answerBytes), about 0.7 MiB, to a round's history.
 */
export const SELECTOR_LIMITS = {
  /** Turns in one round at most (like LIMITS.maxDebateRounds): each turn is two model calls. */
  maxTurns: 20,
  /** One selector prompt's user message (JSON bytes): the candidates, the newest part of the conversation. */
  promptBytes: 32 * 1024,
  /** One selector answer: a name, with room for a model that explains itself. */
  answerBytes: 2 * 1024,
  /** Picks kept in the strategy's memory across rounds (the oldest go first). */
  recentPicks: 20,
} as const;

/**
 * The `selector` strategy's settings, in the session config under `selector:`. The selector is a
 * model configured like a participant (provider/model, temperature, retry, timeouts); the rest are
 * AutoGen-style termination conditions, checked after every turn.
 */
export const selectorSettingsSchema = z
  .object({
    ...modelCallSettings,
    /** Turns in one round, at most: the round ends after this many speakers. */
    maxTurns: z
      .number()
      .int('maxTurns must be a whole number, e.g. 6')
      .min(1)
      .max(SELECTOR_LIMITS.maxTurns, `maxTurns may be at most ${SELECTOR_LIMITS.maxTurns}`)
      .default(6),
    /** The round ends after an answer containing this text (case-sensitive), e.g. "TERMINATE". */
    terminationPhrase: z.string().trim().min(1).max(200).optional(),
    /** The round ends once its calls (speakers and selector) have used this many tokens. */
    maxTotalTokens: z.number().int('maxTotalTokens must be a whole number').positive().optional(),
    /** Whether the speaker of a turn may be picked again for the next turn (AutoGen's default: no). */
    allowRepeatedSpeaker: z.boolean().default(false),
  })
  .strict()
  .superRefine(refineLocalCall);
export type SelectorSettings = z.infer<typeof selectorSettingsSchema>;
export type SelectorSettingsInput = z.input<typeof selectorSettingsSchema>;

/** The settings strategies read from the session config (only the selector has any so far). */
export interface StrategySettings {
  selector?: SelectorSettings;
}

/**
 * Why a session of `strategy` cannot have no selector settings: the selector strategy plays no round
 * without them, and no update adds them later. Undefined for every other strategy.
 */
export function missingSelectorProblem(strategy: string, selector: unknown): string | undefined {
  if (strategy !== 'selector' || selector !== undefined) return undefined;
  return 'the selector strategy needs `selector:` settings, at least `model` (provider and model) for the model that picks speakers';
}
