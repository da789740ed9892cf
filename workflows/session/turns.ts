import { condition, workflowInfo } from '@temporalio/workflow';
import { patched } from '../shared/patches';
import { LIMITS } from '../../common/defaults';

/**
 * Patch id of the change that continues-as-new once a run's history passes
 * LIMITS.continueAsNewHistoryBytes (not only when the server suggests it at 4 MiB).
 */
const HISTORY_BYTES_PATCH = 'history-bytes-continue-as-new';

/** Patch id of the change that has a close wait for the rounds accepted that have no ticket yet. */
export const CLOSE_WAITS_PATCH = 'close-waits-accepted-rounds';

/**
 * The turns of a run's rounds and when the run has had enough. Rounds run one at a time, in the
 * order their updates arrived: each takes a ticket and waits for the rounds before it. Between
 * rounds, a run whose history, updates or rounds pass their limits continues-as-new.
 */
export class RoundTurns {
  private issued = 0;
  private served = 0;
  private updates = 0;
  // Set after a round: the run's history is big enough that the next round belongs in a new run.
  private historyFull = false;
  /** True from a round's start until its turn ends (after its late calls, when it has some). */
  running = false;
  /** Rounds asked for that have not begun (the view shows it; state only, no command). */
  waiting = 0;
  /** Set by the stopRound update, for the round running then only. */
  stopRequested = false;

  constructor(
    /** The session's round count as the run started. */
    private readonly roundsAtStart: number,
    /** Hears of every turn's start and end: the session publishes its status. */
    private readonly changed: () => void,
  ) {}

  /** Takes the next ticket: resolves once every round asked for before it has had its turn. */
  waitTurn(): Promise<void> {
    const ticket = this.issued++;
    return condition(() => this.served === ticket);
  }

  /** Starts the turn {@link waitTurn} waited for. */
  start(): void {
    this.running = true;
    this.stopRequested = false;
    this.changed();
  }

  /** Ends a round's turn: the next round (or continue-as-new, or closing) may go. */
  end(): void {
    this.running = false;
    this.historyFull ||=
      workflowInfo().historySize > LIMITS.continueAsNewHistoryBytes && patched(HISTORY_BYTES_PATCH);
    this.served += 1;
    this.changed();
  }

  /**
   * Resolves once every round asked for has had its turn. `withWaiting`: also the rounds accepted
   * that have no ticket yet (a fresh session's rounds wait for its policy check before they take one).
   */
  allServed(withWaiting: boolean): Promise<void> {
    return condition(() => this.served === this.issued && (!withWaiting || this.waiting === 0));
  }

  /** True once a round of this run has had its turn. */
  anyServed(): boolean {
    return this.served > 0;
  }

  /** Counts an update towards LIMITS.maxUpdatesPerRun. */
  counted(): void {
    this.updates += 1;
  }

  /** True between rounds once the run should continue-as-new; `round` is the session's round now. */
  runFull(round: number): boolean {
    return (
      !this.running &&
      (workflowInfo().continueAsNewSuggested ||
        this.historyFull ||
        this.updates >= LIMITS.maxUpdatesPerRun ||
        round - this.roundsAtStart >= LIMITS.maxRoundsPerRun)
    );
  }
}
