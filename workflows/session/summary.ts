import type { TokenUsage } from '../../common/llm';
import type { SessionState } from '../../common/session';

/**
 * Patch id of the change that writes a closed session's totals into its memo. Sessions closed by
 * code from before the change have no memo write in their history: `patched()` keeps their replay
 * on the old path. See docs/durability.md for when this may become `deprecatePatch()`.
 */
export const SUMMARY_MEMO_PATCH = 'session-summary-memo';

/** The memo key of {@link SessionSummary}. */
export const SESSION_SUMMARY_MEMO_KEY = 'councilSessionSummary';

/**
 * A closed session's totals, in its memo: `council session list`, `describe()` and the Web UI can
 * show them without a worker replaying the whole history to answer a query.
 */
export interface SessionSummary {
  rounds: number;
  runs: number;
  participants: string[];
  usage: TokenUsage;
}

export function summaryOf(state: SessionState): SessionSummary {
  return {
    rounds: state.round,
    runs: state.runs,
    participants: state.participants.map((p) => p.spec.name),
    usage: state.usage,
  };
}
