import { councilContextSchema } from '../../common/council';
import { backupName } from '../../common/hedge';
import { turnsOf } from '../../workflows/council/turnShares';
import type { CouncilConfig } from '../api/config';
import type { SessionEstimate } from './estimate';
import { estimateRow, estimateTotal, type EstimateRow } from './estimateRow';

/**
 * Worst case of a whole council: each expert's every turn (and, with peer review, its review and
 * the one retry of an unreadable ranking), each hedge backup standing in for every turn of the
 * experts it backs, and the synthesis; every call at the prompt bound plus every output token,
 * times every attempt its retry policy allows. A person's messages add no calls.
 */
export function estimateCouncil(config: Extract<CouncilConfig, { kind: 'council' }>): SessionEstimate {
  const context = councilContextSchema.parse({ ...config.context, task: config.task ?? 'estimate' });
  const turns = turnsOf(context);
  const reviews = context.peerReview ? 2 : 0;
  const rows: EstimateRow[] = [];
  for (const expert of context.activeExperts) {
    rows.push(estimateRow(expert, turns + reviews));
    const hedge = expert.hedge ?? context.hedge;
    // A backup is sent the expert's prompt, under its own bounds and retry policy.
    if (hedge) rows.push(estimateRow({ ...hedge.backup, name: backupName(hedge.backup) }, turns));
  }
  rows.push(estimateRow(context.synthesisConfig, 1));
  return {
    ...estimateTotal(rows),
    scope: 'council',
    ...(context.budget && { budget: context.budget }),
  };
}
