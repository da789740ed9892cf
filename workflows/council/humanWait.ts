import { condition } from '@temporalio/workflow';
import { patched } from '../shared/patches';
import type { CouncilLedger } from './ledger';

/**
 * Marks the councils that wait for a person between rounds only: before it, a council with
 * `awaitHumanBetweenRounds` also waited after its last round, where nothing follows but the
 * synthesis. Called only by such a council, as each of its rounds closes.
 */
export const LAST_ROUND_WAIT_PATCH = 'last-round-wait';

/**
 * The waits for a person of a council with `awaitHumanBetweenRounds`. A round's wait is owed when
 * the round closes and paid when the next one opens, so the last round has none, however the mode
 * ends (its last turn, a convergence stop, failed experts). A council of a single round (parallel;
 * sequential with one expert) pays it before the synthesis: a person's only say in it.
 */
export class HumanWait {
  private owed = false;
  private rounds = 0;

  constructor(
    private readonly ledger: CouncilLedger,
    private readonly config: { timeoutMs: number } | undefined,
  ) {}

  /** A round closed: its wait is owed (histories from before the patch wait here and now). */
  async roundClosed(): Promise<void> {
    this.rounds += 1;
    if (!this.config) return;
    if (!patched(LAST_ROUND_WAIT_PATCH)) return this.waitForPerson(this.config.timeoutMs);
    this.owed = true;
  }

  /** Another round opens: the wait owed by the one before it is paid now. */
  async roundOpens(): Promise<void> {
    if (!this.owed || !this.config) return;
    this.owed = false;
    await this.waitForPerson(this.config.timeoutMs);
  }

  /** The rounds are over: only a council of one round still waits, before its synthesis. */
  async roundsOver(): Promise<void> {
    if (this.rounds === 1) await this.roundOpens();
    this.owed = false;
  }

  private async waitForPerson(timeoutMs: number): Promise<void> {
    const { ledger } = this;
    const before = ledger.humanMessages;
    // Workflow time: the deadline replays to the same instant.
    const until = new Date(Date.now() + timeoutMs).toISOString();
    ledger.setStatus(
      'awaiting-human',
      `after round ${ledger.round}: waiting for a person until ${until}`,
      until,
    );
    await condition(() => ledger.humanMessages > before, timeoutMs);
  }
}
