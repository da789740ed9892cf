import { condition, patched } from '@temporalio/workflow';
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
  private readonly stragglers: Array<Promise<unknown>> = [];

  async close(ledger: CouncilLedger, turns: Array<Promise<boolean>>): Promise<void> {
    const { quorum, deadlineMs } = ledger.context;
    if ((quorum === undefined && deadlineMs === undefined) || !patched(QUORUM_PATCH)) {
      await Promise.all(turns);
      return;
    }
    let ended = 0;
    let answered = 0;
    // A turn rejects only when the council is cancelled: the wait below throws that cancellation,
    // and the rejection is handled here so it does not fail the workflow task as unhandled.
    const counted = turns.map((turn) =>
      turn.then(
        (ok) => {
          ended += 1;
          if (ok) answered += 1;
        },
        () => undefined,
      ),
    );
    const closed = () => ended === turns.length || (quorum !== undefined && answered >= quorum);
    // Resolves false when the deadline's timer fires first; without a deadline no timer is started.
    const inTime =
      deadlineMs === undefined ? (await condition(closed), true) : await condition(closed, deadlineMs);
    if (ended === turns.length) return;
    ledger.closedRound = ledger.round;
    const why = inTime ? `a quorum of ${quorum} answered` : `the deadline of ${deadlineMs} ms passed`;
    const pending = turns.length - ended;
    ledger.setStatus('running', `round ${ledger.round} closed: ${why}; ${pending} call(s) will be late`);
    this.stragglers.push(Promise.all(counted));
  }

  /** Waits for the late calls; each is bounded by its expert's own timeouts and retries. */
  async settle(): Promise<void> {
    await Promise.all(this.stragglers);
  }
}
