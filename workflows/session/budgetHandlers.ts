import { setHandler } from '@temporalio/workflow';
import { patched } from '../shared/patches';
import {
  DEFAULT_BUDGET_ASK_TIMEOUT_MS,
  DOWNGRADE_SUBJECT,
  emptyLedger,
  type LedgerState,
} from '../../common/budget';
import { raisedLimits, raiseBudgetSchema } from '../../common/budgetRaise';
import type { PolicySubject } from '../../common/policy';
import type { SessionState } from '../../common/session';
import { raiseBudgetUpdate, stopBudgetUpdate } from '../../common/sessionApi';
import { zodProblem } from '../../common/validation';
import { viewOfLedger } from '../shared/budget';
import { BudgetAsk } from '../shared/budgetAsk';
import { invalid } from '../shared/invalid';
import { logProgress } from './progress';

/**
 * Patch id of the policy check of a session's `downgradeTo`: a session whose budget downgrades
 * records this marker as it starts, and its start check covers the cheaper model too. Sessions
 * recorded before it checked their participants alone.
 */
export const DOWNGRADE_POLICY_PATCH = 'budget-downgrade-policy';

/**
 * The budget's cheaper model as a subject of the start's provider-policy check, so a model the
 * worker's policy forbids ends the session before any call, not at the switch mid-run.
 */
export function downgradePolicySubjects(state: SessionState): PolicySubject[] {
  const downgradeTo = state.config.budget?.downgradeTo;
  if (!downgradeTo || !patched(DOWNGRADE_POLICY_PATCH)) return [];
  return [{ participant: DOWNGRADE_SUBJECT, model: downgradeTo }];
}

/** The session's ledger, created on first use (a session starts without one). */
function ledgerOf(state: SessionState): LedgerState {
  return (state.ledger ??= emptyLedger());
}

/** Where calls of an `onExhausted: ask` budget wait for a person; undefined under any other budget. */
export function budgetAskOf(state: SessionState, onWaitingChange: () => void): BudgetAsk | undefined {
  const budget = state.config.budget;
  if (budget?.onExhausted !== 'ask') return undefined;
  const timeoutMs = budget.askTimeoutMs ?? DEFAULT_BUDGET_ASK_TIMEOUT_MS;
  return new BudgetAsk(
    () => ledgerOf(state),
    timeoutMs,
    onWaitingChange,
    (wait, end) => {
      const stoppedBy = end === 'stopped' ? state.ledger?.stopped : undefined;
      logProgress(state, {
        kind: 'budget',
        round: wait.round,
        participant: wait.participant,
        phase: wait.phase,
        state: end ?? 'waiting',
        until: wait.until,
        ...(stoppedBy && { stoppedBy }),
      });
    },
  );
}

/** What the budget handlers need of the session around them. */
export interface BudgetHandlerHooks {
  /** Throws when the session takes no more updates (it is closed). */
  acceptingUpdates: () => void;
  /** Counts the update towards the run's continue-as-new limit. */
  counted: () => void;
  /** The budget changed: publish the session's status again. */
  changed: () => void;
  /** Why the budget may not be raised (a scheduled run's grant from a period budget), if so. */
  raiseRefusal?: string;
}

/**
 * `raiseBudget` and `stopBudget`: a person's answer to a budget, above all to an `ask` budget's call
 * waiting for one. Updates that arrive change only state, so registering them needs no patch.
 */
export function registerBudgetHandlers(
  state: SessionState,
  budgetAsk: BudgetAsk | undefined,
  hooks: BudgetHandlerHooks,
): void {
  const requireBudget = () => {
    hooks.acceptingUpdates();
    const budget = state.config.budget;
    if (!budget)
      throw invalid('this session has no budget: give one in its config, e.g. budget: { maxCostUsd: 1 }');
    return budget;
  };

  setHandler(
    raiseBudgetUpdate,
    (request) => {
      hooks.counted();
      const budget = requireBudget();
      const limits = raisedLimits(budget, raiseBudgetSchema.parse(request));
      if (typeof limits === 'string') throw invalid(limits);
      // In place: the gate of a round in progress holds this very object.
      Object.assign(budget, limits);
      const ledger = ledgerOf(state);
      // A spent or stopped budget takes calls again once raised.
      ledger.exhausted = false;
      delete ledger.stopped;
      budgetAsk?.raised();
      hooks.changed();
      return viewOfLedger(budget, ledger);
    },
    {
      validator: (request) => {
        const budget = requireBudget();
        if (hooks.raiseRefusal) throw invalid(hooks.raiseRefusal);
        const parsed = raiseBudgetSchema.safeParse(request);
        if (!parsed.success) throw invalid(`invalid budget raise: ${zodProblem(parsed.error)}`);
        const limits = raisedLimits(budget, parsed.data);
        if (typeof limits === 'string') throw invalid(limits);
      },
    },
  );

  setHandler(
    stopBudgetUpdate,
    () => {
      hooks.counted();
      const budget = requireBudget();
      const ledger = ledgerOf(state);
      ledger.stopped = 'person';
      ledger.exhausted = true;
      hooks.changed();
      return viewOfLedger(budget, ledger);
    },
    { validator: () => void requireBudget() },
  );
}
