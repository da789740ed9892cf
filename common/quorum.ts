import { z } from 'zod';
import { LIMITS } from './defaults';
import { addProblem, checkModeOnly } from './validation';

/** Bounds of a quorum round's deadline: a timer shorter than this would close before any model answers. */
export const QUORUM_LIMITS = {
  minDeadlineMs: 100,
  /** A day: a round that needs longer is better run without a deadline. */
  maxDeadlineMs: 24 * 60 * 60_000,
} as const;

/** The modes whose answer round can close early; the others take turns one after another. */
export const QUORUM_MODES = ['parallel'] as const;

/**
 * When the answer round closes before every expert has answered: once `quorum` experts have
 * answered, or at `deadlineMs` after the round began (a durable timer), whichever comes first.
 * Calls still running then finish late: kept in the transcript, left out of the synthesis.
 */
export const quorumFields = {
  quorum: z
    .number()
    .int('quorum must be a whole number of experts, e.g. 2')
    .min(1, 'quorum must be at least 1 expert')
    .max(LIMITS.maxParticipants)
    .optional(),
  deadlineMs: z
    .number()
    .int('deadlineMs must be a whole number of milliseconds, e.g. 30000')
    .min(QUORUM_LIMITS.minDeadlineMs)
    .max(QUORUM_LIMITS.maxDeadlineMs)
    .optional(),
};

/** The session strategies whose round can close early: the ones whose participants answer at once. */
export const QUORUM_STRATEGIES = ['broadcast'] as const;

/**
 * Why a session's `quorum` or `deadlineMs` cannot apply under `strategy`, with the fix, or undefined.
 * The others take turns (or read each other's answers), so a round closed early would cut them short.
 */
export function sessionQuorumProblem(config: {
  strategy: string;
  quorum?: number;
  deadlineMs?: number;
}): string | undefined {
  const key = config.quorum !== undefined ? 'quorum' : config.deadlineMs !== undefined ? 'deadlineMs' : '';
  if (key === '' || (QUORUM_STRATEGIES as readonly string[]).includes(config.strategy)) return undefined;
  return (
    `${key} applies to the ${QUORUM_STRATEGIES.join(', ')} strategy only (this session is ` +
    `"${config.strategy}"): remove ${key} or use strategy broadcast`
  );
}

/** What {@link checkQuorum} reads of a council context. */
interface QuorumContext {
  mode: string;
  activeExperts: unknown[];
  quorum?: number;
  deadlineMs?: number;
  peerReview?: unknown;
}

/** A quorum fits the experts and the mode; peer review would rank answers that may still arrive. */
export function checkQuorum(context: QuorumContext, ctx: z.RefinementCtx): void {
  const { quorum, deadlineMs } = context;
  if (quorum === undefined && deadlineMs === undefined) return;
  const key = quorum !== undefined ? 'quorum' : 'deadlineMs';
  const experts = context.activeExperts.length;
  if (quorum !== undefined && quorum > experts) {
    addProblem(
      ctx,
      ['quorum'],
      `quorum ${quorum} is more than the ${experts} expert(s) in activeExperts: lower it or add experts`,
    );
  }
  checkModeOnly(ctx, [key], QUORUM_MODES, context.mode);
  if (context.peerReview !== undefined) {
    addProblem(
      ctx,
      [key],
      `${key} cannot be combined with peerReview yet: reviewers would rank a round that is still open`,
    );
  }
}
