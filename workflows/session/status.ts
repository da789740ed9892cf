import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { patched } from '../shared/patches';
import {
  CouncilCostUsdKey,
  CouncilKindKey,
  CouncilStatusKey,
  CouncilStrategyKey,
  type SessionStatusValue,
} from '../../common/searchAttributes';
import type { SessionState } from '../../common/session';
import { sessionDetails } from './details';
import type { ActiveRound } from './round';

/** Patch id of the change that marks a cancelled session's CouncilStatus as `cancelled`. */
const CANCELLED_STATUS_PATCH = 'session-cancelled-status';
/**
 * Patch id of the CouncilCostUsd search attribute: a budgeted session upserts its spend when it
 * changes. Asked only then, so histories without a budget never reach the marker.
 */
const COST_SEARCH_ATTRIBUTE_PATCH = 'cost-search-attribute';
/**
 * Patch id of the change that publishes a session's search attributes only when they change, and
 * its status as `running` while it takes rounds: it was `running` during each round and `idle`
 * between them, two upserts a round (each a history event, a visibility write and a billed Cloud
 * action), and every run upserted its kind, status and strategy again at its start.
 */
const STATUS_ON_CHANGE_PATCH = 'session-status-on-change';

/**
 * What a session shows of itself: its search attributes (kind, status, strategy, spend), which
 * `council list` and the Web UI filter on, and the Web UI's live line with the round in progress.
 */
export class SessionStatus {
  /** The round in progress, if any: the view and the live line show it. */
  active: ActiveRound | undefined;
  // What the run starts with is published already: a continued run inherits its search attributes.
  private publishedCostUsd: number;
  private detailsDue = false;

  constructor(
    private readonly state: SessionState,
    /** True while a round has its turn. */
    private readonly roundRunning: () => boolean,
  ) {
    this.publishedCostUsd = state.ledger?.spent.usd ?? 0;
  }

  /**
   * The Web UI's live line; no command, so it needs no patch. Written in a microtask, after the code
   * that changed it has run: a round of N calls changes N states in one workflow task, and writing
   * the line at each (it names every participant) cost O(N²) on the workflow thread.
   */
  showDetails(): void {
    if (this.detailsDue) return;
    this.detailsDue = true;
    void Promise.resolve().then(() => {
      this.detailsDue = false;
      setCurrentDetails(sessionDetails(this.state, this.active));
    });
  }

  /** Hears of the round in progress at its start, at every call's change of state, and at its end. */
  setActive(next: ActiveRound | undefined): void {
    this.active = next;
    this.showDetails();
  }

  /** Upserts the session's kind, status and strategy where they changed, and its spend when that did. */
  publish(): void {
    if (patched(STATUS_ON_CHANGE_PATCH)) {
      this.publishChanged();
      return;
    }
    upsertSearchAttributes([
      { key: CouncilKindKey, value: 'session' },
      { key: CouncilStatusKey, value: this.statusNow() },
      { key: CouncilStrategyKey, value: this.state.config.strategy },
    ]);
    this.publishCost();
  }

  /** Cancelled sessions say so in the list and the Web UI; older histories never reach this command. */
  publishCancelled(): void {
    if (patched(CANCELLED_STATUS_PATCH)) {
      upsertSearchAttributes([{ key: CouncilStatusKey, value: 'cancelled' }]);
    }
  }

  /** Upserts what differs from what the run holds: what its start set or its previous run had, and its own upserts. */
  private publishChanged(): void {
    const held = workflowInfo().typedSearchAttributes;
    const wanted = [
      { key: CouncilKindKey, value: 'session' },
      { key: CouncilStatusKey, value: this.openStatus() },
      { key: CouncilStrategyKey, value: this.state.config.strategy },
    ];
    const changed = wanted.filter(({ key, value }) => held.get(key) !== value);
    if (changed.length > 0) upsertSearchAttributes(changed);
    this.publishCost();
  }

  /** What a session says of itself, rounds aside: whether one is being played shows in its view. */
  private openStatus(): SessionStatusValue {
    if (this.state.closed) return 'closed';
    // Only an `ask` budget ever waits: no other history reaches this value.
    if (this.state.ledger?.waiting) return 'waiting-budget';
    return 'running';
  }

  /** The status histories from before STATUS_ON_CHANGE_PATCH published. */
  private statusNow(): SessionStatusValue {
    const open = this.openStatus();
    return open === 'running' && !this.roundRunning() ? 'idle' : open;
  }

  private publishCost(): void {
    const spentUsd = this.state.ledger?.spent.usd;
    if (spentUsd === undefined || spentUsd === this.publishedCostUsd) return;
    if (!patched(COST_SEARCH_ATTRIBUTE_PATCH)) return;
    this.publishedCostUsd = spentUsd;
    upsertSearchAttributes([{ key: CouncilCostUsdKey, value: spentUsd }]);
  }
}
