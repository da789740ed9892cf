import type { AggregateEntry, PositionBias, ReviewerRanking } from '../../../common/peerReview';

/** An answer that can be ranked: its expert, in the order of activeExperts. */
export interface Candidate {
  expertId: string;
  expertName: string;
}

/** Three decimals: enough to compare, short to read; computed the same way on every replay. */
function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * The aggregate of the rankings given (only `ranked` ones count). Borda count: in a ranking of k
 * answers, first place earns k-1 points and last 0, so a ranking of fewer answers (a reviewer never
 * ranks its own) weighs a little less. Order: more Borda points first; on equal points, the lower
 * mean rank; on equal mean rank too, the order of activeExperts (the caller's order: stable, and
 * known before any model answered). An answer no ranking included has 0 points and no mean rank
 * and comes after every ranked one. `tied` marks entries the last rule separated.
 */
export function aggregateRanking(
  candidates: readonly Candidate[],
  rankings: readonly ReviewerRanking[],
): AggregateEntry[] {
  const counted = rankings.filter((r) => r.status === 'ranked');
  const scored = candidates.map((candidate, index) => {
    let borda = 0;
    let rankSum = 0;
    let votes = 0;
    for (const review of counted) {
      const position = review.ranking.findIndex((r) => r.expertId === candidate.expertId);
      if (position < 0) continue;
      borda += review.ranking.length - 1 - position;
      rankSum += position + 1;
      votes += 1;
    }
    const meanRank = votes > 0 ? round3(rankSum / votes) : null;
    return { ...candidate, index, borda, meanRank, votes };
  });
  const key = (s: (typeof scored)[number]) => `${s.borda}|${s.meanRank}`;
  scored.sort(
    (a, b) =>
      b.borda - a.borda ||
      (a.meanRank ?? Infinity) - (b.meanRank ?? Infinity) ||
      // Both null: Infinity - Infinity is NaN, which sort reads as equal; fall through to the order.
      a.index - b.index,
  );
  return scored.map((s, i) => ({
    expertId: s.expertId,
    expertName: s.expertName,
    place: i + 1,
    borda: s.borda,
    meanRank: s.meanRank,
    votes: s.votes,
    tied: [scored[i - 1], scored[i + 1]].some((other) => other !== undefined && key(other) === key(s)),
  }));
}

/**
 * How much the shown order swayed the rankings: the mean rank given per shown position, and the
 * mean Spearman correlation (1 - 6·Σd² / (k(k²-1)), exact for rankings without ties) between where
 * an answer was shown and the rank it got. Shuffling spreads the answers over the positions, so a
 * correlation well away from 0 over many rankings points to the reviewers, not the answers.
 */
export function positionBias(rankings: readonly ReviewerRanking[]): PositionBias {
  const counted = rankings.filter((r) => r.status === 'ranked');
  const sums: Array<{ total: number; count: number }> = [];
  const rhos: number[] = [];
  for (const review of counted) {
    let d2 = 0;
    review.shown.forEach((shown, position) => {
      const rank = review.ranking.findIndex((r) => r.expertId === shown.expertId) + 1;
      const slot = (sums[position] ??= { total: 0, count: 0 });
      slot.total += rank;
      slot.count += 1;
      d2 += (position + 1 - rank) ** 2;
    });
    const k = review.shown.length;
    if (k >= 2) rhos.push(1 - (6 * d2) / (k * (k * k - 1)));
  }
  return {
    byShownPosition: sums.map((slot, i) => ({
      position: i + 1,
      meanRank: round3(slot.total / slot.count),
      count: slot.count,
    })),
    correlation: rhos.length > 0 ? round3(rhos.reduce((a, b) => a + b, 0) / rhos.length) : null,
    rankings: counted.length,
  };
}
