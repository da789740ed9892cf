import type { CouncilWorkflowResult } from '../../common/council';

/** Peer review as the run page shows it: names only, the anonymous labels mapped back. */
export interface UiRankings {
  aggregate: Array<{ place: number; name: string; borda: number; meanRank: number | null; votes: number }>;
  reviewers: Array<{ name: string; status: string; ranking: string[] }>;
  /** Position bias: the Spearman correlation of shown position and rank (null without rankings). */
  positionBias: number | null;
}

/** A completed council's peer review, for the run page. */
export function rankingsOf(result: CouncilWorkflowResult): UiRankings {
  return {
    aggregate: (result.aggregateRanking ?? []).map(({ place, expertName, borda, meanRank, votes }) => ({
      place,
      name: expertName,
      borda,
      meanRank,
      votes,
    })),
    reviewers: Object.values(result.rankings ?? {}).map(({ reviewerName, status, ranking }) => ({
      name: reviewerName,
      status,
      ranking: ranking.map((answer) => answer.expertName),
    })),
    positionBias: result.positionBias?.correlation ?? null,
  };
}
