import { z } from 'zod';
import { modelName } from './budget';
import { nameSchema } from './names';
import { modelCallSettings } from './participants';

/** Bounds of a hedge's wait: a shorter one would start a backup for nearly every call. */
export const HEDGE_LIMITS = {
  minAfterMs: 100,
  /** A day, like a quorum's deadline: a longer wait is no hedge. */
  maxAfterMs: 24 * 60 * 60_000,
} as const;

/** The modes whose experts answer at once, so one straggler holds up the round. */
export const HEDGE_MODES = ['parallel'] as const;

/**
 * The model a straggling expert's call is sent to as well. It is sent the expert's own prompt (system
 * prompt included), so it takes no system prompt of its own; `name` says who answered in the result.
 */
export const hedgeBackupSchema = z
  .object({
    name: nameSchema('backup name').optional(),
    model: modelCallSettings.model,
    temperature: modelCallSettings.temperature,
    maxOutputTokens: modelCallSettings.maxOutputTokens,
    retry: modelCallSettings.retry,
    timeouts: modelCallSettings.timeouts,
  })
  .strict();
export type HedgeBackup = z.infer<typeof hedgeBackupSchema>;

/**
 * Hedged calls: when an expert's answer call is still running `afterMs` after it began (a durable
 * workflow timer), the same prompt goes to `backup` too; the first answer is the expert's, the other
 * call is cancelled.
 */
export const hedgeConfigSchema = z
  .object({
    afterMs: z
      .number()
      .int('hedge.afterMs must be a whole number of milliseconds, e.g. 10000')
      .min(HEDGE_LIMITS.minAfterMs, `hedge.afterMs must be at least ${HEDGE_LIMITS.minAfterMs} ms`)
      .max(HEDGE_LIMITS.maxAfterMs, `hedge.afterMs must be at most ${HEDGE_LIMITS.maxAfterMs} ms (a day)`),
    backup: hedgeBackupSchema,
  })
  .strict();
export type HedgeConfig = z.infer<typeof hedgeConfigSchema>;

/** Who answered for a hedged expert: the backup's name, else its `provider/model`. */
export function backupName(backup: HedgeBackup): string {
  return backup.name ?? modelName(backup.model);
}

/** Hedging applies where experts answer at once: there one straggler holds up the whole round. */
export function checkHedge(context: { mode: string; hedge?: unknown }, ctx: z.RefinementCtx): void {
  if (context.hedge === undefined) return;
  if (!(HEDGE_MODES as readonly string[]).includes(context.mode)) {
    ctx.addIssue({
      code: 'custom',
      path: ['hedge'],
      message: `hedge applies to ${HEDGE_MODES.join(', ')} mode only (this council is "${context.mode}"): remove it or use parallel`,
    });
  }
}
