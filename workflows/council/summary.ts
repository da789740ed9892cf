import { upsertMemo } from '@temporalio/workflow';
import { patched } from '../shared/patches';
import {
  COUNCIL_SUMMARY_MEMO_KEY,
  type CouncilSummary,
  type CouncilWorkflowResult,
} from '../../common/councilResult';

/**
 * Patch id of the change that writes a completed council's totals into its memo. Councils completed
 * by code from before it have no memo write in their history: `patched()` keeps their replay on the
 * old path.
 */
export const COUNCIL_SUMMARY_MEMO_PATCH = 'council-summary-memo';

/** Writes the council's totals into its memo as it completes, for `council list` and `listRuns`. */
export function recordCouncilSummary(result: CouncilWorkflowResult): void {
  if (!patched(COUNCIL_SUMMARY_MEMO_PATCH)) return;
  const summary: CouncilSummary = { rounds: result.rounds, usage: result.tokenUsage.total };
  upsertMemo({ [COUNCIL_SUMMARY_MEMO_KEY]: summary });
}
