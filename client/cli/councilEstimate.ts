import { councilContextSchema } from '../../common/council';
import { backupName } from '../../common/hedge';
import { turnShares, turnsOf } from '../../workflows/council/turnShares';
import { refuseOversizedCouncil } from '../api/council';
import type { CouncilConfig } from '../api/config';
import type { SessionEstimate } from './estimate';
import { estimateRow, estimateTotal, type EstimateRow } from './estimateRow';

/** One caller's row of two kinds of calls: their calls and worst cases added. */
function withCalls(row: EstimateRow, more: EstimateRow): EstimateRow {
  return {
    ...row,
    calls: row.calls + more.calls,
    worst: { tokens: row.worst.tokens + more.worst.tokens, usd: row.worst.usd + more.worst.usd },
  };
}

/**
 * Worst case of a whole council: each expert's every turn (and, with peer review, its review and
 * the one retry of an unreadable ranking), each hedge backup standing in for every turn of the
 * experts it backs, and the synthesis; a turn's prompt at its share of the run's prompts (a
 * council too large for them is refused, as where it starts), every other call at the prompt
 * bound, plus every output token,
 * times every attempt its retry policy allows. A person's messages add no calls.
 */
export function estimateCouncil(config: Extract<CouncilConfig, { kind: 'council' }>): SessionEstimate {
  const context = councilContextSchema.parse({ ...config.context, task: config.task ?? 'estimate' });
  if (config.task !== undefined) refuseOversizedCouncil(context);
  const turns = turnsOf(context);
  const reviews = context.peerReview ? 2 : 0;
  // A turn's prompt (JSON bytes, more than its tokens) stays within its share of the run's prompts.
  const turnPrompt = turnShares(context).promptBytes;
  const rows: EstimateRow[] = [];
  for (const expert of context.activeExperts) {
    const turnRow = estimateRow(expert, turns, undefined, turnPrompt);
    rows.push(reviews > 0 ? withCalls(turnRow, estimateRow(expert, reviews)) : turnRow);
    const hedge = expert.hedge ?? context.hedge;
    // A backup is sent the expert's prompt, under its own bounds and retry policy.
    if (hedge)
      rows.push(
        estimateRow({ ...hedge.backup, name: backupName(hedge.backup) }, turns, undefined, turnPrompt),
      );
  }
  rows.push(estimateRow(context.synthesisConfig, 1));
  return {
    ...estimateTotal(rows),
    scope: 'council',
    ...(context.budget && { budget: context.budget }),
  };
}
