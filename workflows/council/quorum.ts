import { patched } from '../shared/patches';
import { closeAtQuorum } from '../shared/quorum';
import type { CouncilLedger } from './ledger';

/**
 * Patch id of quorum rounds and deadlines. Only a council configured with `quorum` or `deadlineMs`
 * calls `patched()` (no earlier history holds one: the schema refused those keys), so every other
 * council records no marker and replays as before.
 */
export const QUORUM_PATCH = 'quorum-rounds';

/**
 * Closes a round of turns taken at once: when every turn has ended, or earlier under a quorum (that
 * many experts answered) or a deadline (a workflow timer, durable across worker and server
 * restarts). Turns still running are not cancelled: they end late, and the workflow waits for them
 * with {@link RoundCloser.settle} before it returns, so their answers reach the transcript.
 */
export class RoundCloser {
  private readonly stragglers: Array<Promise<void>> = [];

  async close(ledger: CouncilLedger, turns: Array<Promise<boolean>>): Promise<void> {
    const { quorum, deadlineMs } = ledger.context;
    if ((quorum === undefined && deadlineMs === undefined) || !patched(QUORUM_PATCH)) {
      await Promise.all(turns);
      return;
    }
    const early = await closeAtQuorum(turns, { quorum, deadlineMs });
    if (!early) return;
    ledger.closedRound = ledger.round;
    const pending = early.pending.length;
    ledger.setStatus(
      'running',
      `round ${ledger.round} closed: ${early.why}; ${pending} call(s) will be late`,
    );
    this.stragglers.push(early.settled);
  }

  /** Waits for the late calls; each is bounded by its expert's own timeouts and retries. */
  async settle(): Promise<void> {
    await Promise.all(this.stragglers);
  }
}
