import { upsertMemo } from '@temporalio/workflow';
import { patched } from '../shared/patches';
import {
  COUNCIL_SUMMARY_MEMO_KEY,
  type CouncilSummary,
  type CouncilWorkflowResult,
} from '../../common/councilResult';
import { expertsUsage, type LedgerSnapshot } from './councilResult';

/**
 * Patch id of the change that writes a completed council's totals into its memo. Councils completed
 * by code from before it have no memo write in their history: `patched()` keeps their replay on the
 * old path.
 */
export const COUNCIL_SUMMARY_MEMO_PATCH = 'council-summary-memo';

/**
 * Patch id of the change that writes a cancelled council's totals too: its history gains a memo write
 * after the cancelled status. Councils cancelled by code from before it replay without one.
 */
export const CANCELLED_COUNCIL_SUMMARY_PATCH = 'cancelled-council-summary';

/** Writes the council's totals into its memo as it completes, for `council list` and `listRuns`. */
export function recordCouncilSummary(result: CouncilWorkflowResult): void {
  if (!patched(COUNCIL_SUMMARY_MEMO_PATCH)) return;
  const summary: CouncilSummary = { rounds: result.rounds, usage: result.tokenUsage.total };
  upsertMemo({ [COUNCIL_SUMMARY_MEMO_KEY]: summary });
}

/**
 * Writes a cancelled council's totals into its memo: the rounds it began and what its experts' calls
 * used until the cancel (a synthesis it was cancelled in records no usage).
 */
export function recordCancelledCouncilSummary(ledger: LedgerSnapshot): void {
  if (!patched(CANCELLED_COUNCIL_SUMMARY_PATCH)) return;
  const summary: CouncilSummary = { rounds: ledger.round, usage: expertsUsage(ledger.outputs) };
  upsertMemo({ [COUNCIL_SUMMARY_MEMO_KEY]: summary });
}
