import { z } from 'zod';
import { DOWNGRADE_SUBJECT, modelName } from './budget';
import type { ModelSpec } from './llm';
import { nameSchema } from './names';
import { modelCallSettings } from './participants';
import { checkModeOnly } from './validation';

/**
 * Patch id of hedging in a round that closes early: once a quorum or deadline has closed the round,
 * the straggler's seat is gone, so its backup does not start (or is cancelled). Only a council with
 * both a hedge and a quorum or deadline calls `patched()`; every other council replays as before.
 */
export const HEDGE_CLOSED_ROUND_PATCH = 'hedge-closed-round';

/**
 * Patch id of an expert's own hedge, in place of the council's (or `false`, none). Only a council with
 * an expert that sets `hedge` (which the schema refused before) calls `patched()`; every other one
 * replays as before.
 */
export const EXPERT_HEDGE_PATCH = 'expert-hedge';

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
 * call is cancelled. The backup fills the expert's seat in the round: its answer counts toward a
 * quorum, and once a quorum or deadline has closed the round without the expert, no backup starts
 * (one running is cancelled). Set on the council, or on an expert, whose own takes its place.
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

/**
 * An expert's `hedge`: its own, in place of the council's, or `false` to opt out of the council's
 * (an expert whose answer must be its own model's, e.g. the one a debate is about).
 */
export const expertHedgeSchema = z.union([hedgeConfigSchema, z.literal(false)]);

/** Who answered for a hedged expert: the backup's name, else its `provider/model`. */
export function backupName(backup: HedgeBackup): string {
  return backup.name ?? modelName(backup.model);
}

/** What {@link checkHedge} reads of a council context. */
interface HedgedContext {
  mode: string;
  hedge?: unknown;
  activeExperts: ReadonlyArray<{ hedge?: unknown }>;
}

/** An expert's own hedge settings; `hedge: false` (an opt-out) is harmless in any mode. */
const setsHedge = (expert: { hedge?: unknown }) => expert.hedge !== undefined && expert.hedge !== false;

/**
 * Hedging, the council's or an expert's own, applies where experts answer at once: there one
 * straggler holds up the whole round.
 */
export function checkHedge(context: HedgedContext, ctx: z.RefinementCtx): void {
  const paths = [
    ...(context.hedge !== undefined ? [['hedge']] : []),
    ...context.activeExperts.flatMap((expert, index) =>
      setsHedge(expert) ? [['activeExperts', index, 'hedge']] : [],
    ),
  ];
  for (const path of paths)
    checkModeOnly(ctx, path, HEDGE_MODES, context.mode, ': remove it or use parallel');
}

/** Every backup a council may call: the council's, then each expert's own. */
export function hedgeBackups(context: {
  hedge?: HedgeConfig;
  activeExperts: ReadonlyArray<{ hedge?: HedgeConfig | false }>;
}): HedgeBackup[] {
  return [context, ...context.activeExperts].flatMap((holder) => (holder.hedge ? [holder.hedge.backup] : []));
}

/**
 * Every model a council calls, each with who calls it, as the worker's provider policy names a
 * refusal: its experts, its synthesizer, the hedges' backups and a budget's cheaper model. The
 * council's start check and `council config check` both ask about these. Only a hedged council (the
 * schema refused `hedge` before it) has backups, only a budgeted one a cheaper model: councils
 * recorded before either check as they did.
 */
export function councilModelSubjects(context: {
  activeExperts: ReadonlyArray<{ name: string; model: ModelSpec; hedge?: HedgeConfig | false }>;
  synthesisConfig: { name: string; model: ModelSpec };
  hedge?: HedgeConfig;
  budget?: { downgradeTo?: ModelSpec };
}): Array<{ participant: string; model: ModelSpec }> {
  const { activeExperts, synthesisConfig, budget } = context;
  return [
    ...activeExperts.map((expert) => ({ participant: expert.name, model: expert.model })),
    { participant: synthesisConfig.name, model: synthesisConfig.model },
    ...hedgeBackups(context).map((backup) => ({ participant: backupName(backup), model: backup.model })),
    ...(budget?.downgradeTo ? [{ participant: DOWNGRADE_SUBJECT, model: budget.downgradeTo }] : []),
  ];
}
