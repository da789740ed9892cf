import { z } from 'zod';
import { LIMITS } from './defaults';
import type { TokenUsage } from './llm';
import { promptSchema } from './participants';
import { addProblem } from './validation';

/** Bounds of a council's peer review: every text it stores or sends is capped here. */
export const PEER_REVIEW_LIMITS = {
  /** A ranking is a short JSON object: answers past this are cut (and then fail to parse). */
  maxReviewAnswerBytes: 16 * 1024,
  /** A reviewer's stated reason, as kept in the result. */
  maxRationaleChars: 2_000,
  /** The reviewer's unreadable first answer, as shown back to it on the retry. */
  maxEchoedAnswerChars: 2_000,
  /** The least each review prompt's answers may share, whatever the number of reviewers. */
  minAnswersBytesPerPrompt: 8 * 1024,
} as const;

/**
 * Peer review of a council's answers: each reviewer ranks the other experts' answers, shown
 * anonymised ("Response A", "Response B", …) in a shuffled order. Present (even `{}`) means on.
 */
export const peerReviewConfigSchema = z
  .object({
    /** Expert ids; every expert when absent. An expert whose answer failed does not review. */
    reviewers: z
      .array(z.string().min(1))
      .min(1, 'reviewers is empty: name at least one expert id, or leave it out for every expert')
      .max(LIMITS.maxParticipants)
      .optional(),
    /** What makes an answer better, shown to every reviewer; a general default when absent. */
    rubric: promptSchema('peerReview.rubric').optional(),
  })
  .strict();
export type PeerReviewConfig = z.infer<typeof peerReviewConfigSchema>;

/** Peer review needs answers to compare: each reviewer ranks at least two answers not its own. */
export function checkPeerReview(
  context: { activeExperts: Array<{ id: string }>; peerReview?: { reviewers?: string[] } },
  ctx: z.RefinementCtx,
): void {
  if (!context.peerReview) return;
  if (context.activeExperts.length < 3) {
    addProblem(
      ctx,
      ['peerReview'],
      'peer review needs at least three experts (each ranks the answers of two others): add one',
    );
  }
  const ids = context.activeExperts.map((expert) => expert.id);
  const seen = new Set<string>();
  context.peerReview.reviewers?.forEach((id, index) => {
    const path = ['peerReview', 'reviewers', index];
    if (!ids.includes(id)) {
      addProblem(ctx, path, `no expert with id "${id}" to review (experts: ${ids.join(', ')})`);
    } else if (seen.has(id)) {
      addProblem(ctx, path, `reviewer "${id}" is listed twice`);
    }
    seen.add(id);
  });
}

/** One answer as a reviewer was shown it: its label, and the expert behind it (never shown to it). */
export interface ShownAnswer {
  label: string;
  expertId: string;
  expertName: string;
}

/**
 * How one reviewer's ranking ended: `ranked`; `abstained` when its answer could not be read as a
 * ranking twice (first call and one retry); `failed` when its model call failed after its retries;
 * `skipped` when it had fewer than two other answers to rank.
 */
export type ReviewStatus = 'ranked' | 'abstained' | 'failed' | 'skipped';

/** One reviewer's ranking, mapped back from the labels it saw to expert ids. */
export interface ReviewerRanking {
  reviewerId: string;
  reviewerName: string;
  status: ReviewStatus;
  /** The answers ranked, best first, mapped back from their labels to their experts; empty unless `ranked`. */
  ranking: ShownAnswer[];
  /** What the reviewer was shown, in the order shown. */
  shown: ShownAnswer[];
  /** The reviewer's own short reason, cut to PEER_REVIEW_LIMITS.maxRationaleChars. */
  rationale?: string;
  /** Model calls made: 1, or 2 after an unreadable first answer. */
  attempts: number;
  /** Why there is no ranking (abstained, failed, skipped). */
  problem?: string;
  tokenUsage: TokenUsage;
}

/** One expert's place in the aggregate ranking. */
export interface AggregateEntry {
  expertId: string;
  expertName: string;
  /** 1-based place after the tie-breaks (see {@link aggregateRanking} in workflows/council/review). */
  place: number;
  /** Borda count: from each ranking of k answers, k-1 points for first place down to 0 for last. */
  borda: number;
  /** Mean of the 1-based ranks given to this answer; null when no ranking included it. */
  meanRank: number | null;
  /** Rankings that included this answer. */
  votes: number;
  /** True when Borda and mean rank equal the neighbour's: the place came from the last tie-break. */
  tied: boolean;
}

/** Whether the shown order swayed the reviewers. */
export interface PositionBias {
  /** Per shown position (1 = shown first): the mean rank given to the answer shown there. */
  byShownPosition: Array<{ position: number; meanRank: number; count: number }>;
  /**
   * Mean Spearman correlation between shown position and rank over the rankings of two or more
   * answers: near 0, no bias; near +1, answers shown earlier were ranked better; near -1, later.
   * Null when there was no such ranking.
   */
  correlation: number | null;
  /** Rankings the figures are computed from. */
  rankings: number;
}

/** What peer review adds to a council's result (only when `peerReview` is configured). */
export interface PeerReviewResult {
  /** Each reviewer's ranking, by reviewer (expert) id, in the order of activeExperts. */
  rankings: Record<string, ReviewerRanking>;
  /** Every expert with an answer, best first. */
  aggregateRanking: AggregateEntry[];
  positionBias: PositionBias;
}
