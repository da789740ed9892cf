import type { SessionState, SessionSummary } from '../../common/session';

/**
 * Patch id of the change that writes a closed session's totals into its memo. Sessions closed by
 * code from before the change have no memo write in their history: `patched()` keeps their replay
 * on the old path. See docs/durability.md for when this may become `deprecatePatch()`.
 */
export const SUMMARY_MEMO_PATCH = 'session-summary-memo';

/** Patch id of the change that writes a cancelled session's totals too (`council list` showed none). */
export const CANCELLED_SUMMARY_MEMO_PATCH = 'session-cancelled-summary-memo';

/** The totals of a session, for its memo when it closes or is cancelled. */
export function summaryOf(state: SessionState): SessionSummary {
  return {
    rounds: state.round,
    runs: state.runs,
    participants: state.participants.map((p) => p.spec.name),
    usage: state.usage,
  };
}
