import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Amount } from './budget';
import type { PeriodBudget, RunLimits } from './periodBudget';

/** The keeper of a schedule's period budget: one workflow per schedule, found by this id. */
export function budgetKeeperId(scheduleId: string): string {
  return `budget-keeper-${scheduleId}`;
}

/** The keeper's workflow type, as update-with-start names it. */
export const BUDGET_KEEPER_WORKFLOW = 'budgetKeeperWorkflow';

/** A run asks for its grant; asking again (a retried activity) returns the same grant. */
export interface GrantRequest {
  /** The asking run's workflow id: the key its grant is kept and returned under. */
  runId: string;
  /** The run's own per-run limits: the most it may be granted. */
  want: RunLimits;
}

/** What the keeper grants a run: its effective budget, and when the period ends (ISO 8601 UTC). */
export interface Grant {
  limits: RunLimits;
  empty: boolean;
  periodEnd: string;
}

/** A run ends: what it spent (and still held) of its grant; the keeper takes back the rest. */
export interface GrantReturn {
  runId: string;
  spent: Amount;
}

/** The period's ledger, as `schedule describe` shows it. */
export interface PeriodLedgerView {
  budget: PeriodBudget;
  periodStart: string;
  periodEnd: string;
  /** Spent by finished runs, plus the whole grants of runs still going. */
  committed: Amount;
  left: RunLimits;
  /** Runs holding a grant now. */
  running: number;
}

/** The state a keeper carries across continue-as-new: the current period only. */
export interface KeeperState {
  budget: PeriodBudget;
  periodStart: number;
  committed: Amount;
  /** Grants of runs still going, by run id, in this period. */
  grants: Record<string, Amount>;
}

export const requestGrantUpdate = defineUpdate<Grant, [GrantRequest]>('requestGrant');
export const returnGrantSignal = defineSignal<[GrantReturn]>('returnGrant');
export const periodLedgerQuery = defineQuery<PeriodLedgerView>('periodLedger');
