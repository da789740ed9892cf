import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
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
 * What a session shows of itself: its search attributes (kind, status, strategy, spend), which
 * `council list` and the Web UI filter on, and the Web UI's live line with the round in progress.
 */
export class SessionStatus {
  /** The round in progress, if any: the view and the live line show it. */
  active: ActiveRound | undefined;
  // What the run starts with is published already: a continued run inherits its search attributes.
  private publishedCostUsd: number;

  constructor(
    private readonly state: SessionState,
    /** True while a round has its turn. */
    private readonly roundRunning: () => boolean,
  ) {
    this.publishedCostUsd = state.ledger?.spent.usd ?? 0;
  }

  /** The Web UI's live line; no command, so it needs no patch. */
  showDetails(): void {
    setCurrentDetails(sessionDetails(this.state, this.active));
  }

  /** Hears of the round in progress at its start, at every call's change of state, and at its end. */
  setActive(next: ActiveRound | undefined): void {
    this.active = next;
    this.showDetails();
  }

  /** Upserts the session's kind, status and strategy, and its spend when that changed. */
  publish(): void {
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

  private statusNow(): SessionStatusValue {
    if (this.state.closed) return 'closed';
    // Only an `ask` budget ever waits: no other history reaches this value.
    if (this.state.ledger?.waiting) return 'waiting-budget';
    return this.roundRunning() ? 'running' : 'idle';
  }

  private publishCost(): void {
    const spentUsd = this.state.ledger?.spent.usd;
    if (spentUsd === undefined || spentUsd === this.publishedCostUsd) return;
    if (!patched(COST_SEARCH_ATTRIBUTE_PATCH)) return;
    this.publishedCostUsd = spentUsd;
    upsertSearchAttributes([{ key: CouncilCostUsdKey, value: spentUsd }]);
  }
}
