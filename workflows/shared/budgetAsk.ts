import { condition } from '@temporalio/workflow';
import type { Amount, BudgetWait, LedgerState } from '../../common/budget';
import type { CallSite } from './callIds';
import { patched } from './patches';

/**
 * Patch id of `onExhausted: ask`: a round of a session with that budget records this marker before
 * its first call. No config recorded before it could carry `ask`, so none reaches it.
 */
export const BUDGET_ASK_PATCH = 'budget-ask';

/**
 * Patch id of claiming the room a wait ends with: a call takes its reservation as it sees room, so
 * another call waiting for the same raise sees what is left. Before it, every call that saw room
 * went on to reserve, and all but the first could be refused (and the budget marked exhausted)
 * though the first's settling would have left them room.
 */
export const BUDGET_ASK_CLAIM_PATCH = 'budget-ask-claim';

/** Most raises one waiting call re-checks after (each still too small), so a wait stays bounded. */
const MAX_RAISES_PER_WAIT = 100;

/** How a refusal after a wait for a person says why the wait ended. */
export const ASK_ENDINGS = {
  person: 'a person stopped it (stopBudget, or `council budget stop`)',
  timeout: 'no one raised it before askTimeoutMs passed',
  raises: 'the raises were not enough',
} as const;

/**
 * Why session `id` refuses a new round once its budget is exhausted, and how to go on: the CLI's
 * raise and the library's. A raise is refused in dollars for a budget of tokens alone, and the other
 * way round.
 */
export function exhaustedBudgetProblem(
  ledger: LedgerState,
  maxCostUsd: number | undefined,
  id: string,
): string {
  const [field, flag] = maxCostUsd === undefined ? ['byTokens', '--by-tokens'] : ['byUsd', '--by-usd'];
  const raise = `\`council budget raise ${id} ${flag} N\`, or raiseBudget({ ${field}: N })`;
  if (ledger.stopped) {
    return `this session's budget stopped: ${ASK_ENDINGS[ledger.stopped]}; raise it to go on (${raise}), or start a new session`;
  }
  return (
    'this session has spent its budget (a call was refused): read `budget` in its view, and raise it ' +
    `(${raise}) or start a new session with a larger one`
  );
}

/** How a wait ended: there is room now, or the budget stopped (a person said so, or no one answered). */
export type WaitEnd = 'room' | 'stopped';

/**
 * The person's side of an `ask` budget: a call that does not fit waits here, durably (a workflow
 * condition with a timer), until a raise makes room, a person stops the budget, or the timeout
 * passes. Several calls of a fan-out may wait at once; the ledger shows the first.
 */
export class BudgetAsk {
  private raises = 0;
  private readonly waits: BudgetWait[] = [];

  constructor(
    /** The session's ledger (created on first use: a session starts without one). */
    private readonly ledgerOf: () => LedgerState,
    private readonly timeoutMs: number,
    /** Hears when the session starts or stops waiting for a person (status, Web UI details). */
    private readonly onWaitingChange: () => void,
    /** Hears each wait as it starts (no `end`) and as it ends: the session's progress log. */
    private readonly onWait: (wait: BudgetWait, end?: WaitEnd) => void = () => undefined,
  ) {}

  /** A person raised the budget: every waiting call checks again whether it fits. */
  raised(): void {
    this.raises += 1;
  }

  private get ledger(): LedgerState {
    return this.ledgerOf();
  }

  /**
   * Waits until `hasRoom()` holds and `claim()` takes that room (reserves, in the same step), or the
   * budget stops; a timeout stops it (`stopped: timeout`). A call whose room another waiting call
   * took first waits on.
   */
  async wait(site: CallSite, needed: Amount, hasRoom: () => boolean, claim: () => boolean): Promise<WaitEnd> {
    const deadline = Date.now() + this.timeoutMs;
    const wait: BudgetWait = {
      round: site.round,
      phase: site.phase,
      participant: site.participant,
      needed,
      until: new Date(deadline).toISOString(),
    };
    this.waits.push(wait);
    this.show();
    this.onWait(wait);
    let end: WaitEnd = 'stopped';
    try {
      end = await this.answer(deadline, hasRoom, claim);
      return end;
    } finally {
      this.waits.splice(this.waits.indexOf(wait), 1);
      this.show();
      this.onWait(wait, end);
    }
  }

  /** Waits for a raise that makes room, a stop, or the deadline. */
  private async answer(deadline: number, hasRoom: () => boolean, claim: () => boolean): Promise<WaitEnd> {
    for (let raise = 0; raise < MAX_RAISES_PER_WAIT; raise += 1) {
      const seen = this.raises;
      const answered = await condition(
        () => this.raises !== seen || this.ledger.stopped !== undefined || hasRoom(),
        Math.max(1, deadline - Date.now()),
      );
      if (!answered) this.ledger.stopped ??= 'timeout';
      if (this.ledger.stopped !== undefined) return 'stopped';
      // A run begun before the claim replays as it ran: the caller reserves after the wait.
      if (hasRoom() && (!patched(BUDGET_ASK_CLAIM_PATCH) || claim())) return 'room';
    }
    return 'stopped';
  }

  private show(): void {
    const first = this.waits[0];
    if (first) this.ledger.waiting = first;
    else delete this.ledger.waiting;
    this.onWaitingChange();
  }
}
