import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { addAmount, ZERO_AMOUNT, type Amount } from '../../common/budget';
import {
  periodLedgerQuery,
  requestGrantUpdate,
  returnGrantSignal,
  type Grant,
  type GrantRequest,
  type KeeperState,
  type PeriodLedgerView,
} from '../../common/budgetKeeperApi';
import {
  grantFor,
  grantIsEmpty,
  periodEndOf,
  periodLeft,
  periodStartOf,
  type PeriodBudget,
} from '../../common/periodBudget';
import { invalid } from '../shared/invalid';

/** Updates and signals one keeper run handles before it continues-as-new: its history stays small. */
const MAX_MESSAGES_PER_RUN = 500;
/** Runs that may hold a grant at once: a schedule's overlapping runs, bounded so the state is too. */
export const MAX_OUTSTANDING_GRANTS = 200;

/** Input of {@link budgetKeeperWorkflow}: the budget, and the state carried from the last run. */
export interface BudgetKeeperInput {
  budget: PeriodBudget;
  state?: KeeperState;
}

/**
 * Keeps one schedule's period budget: grants each run at most its own limit and at most what the
 * period has left, takes back what a run did not spend, and keeps only the current period (UTC,
 * from workflow time). It ends when its period does (a run still holding that period's grant
 * returns it to nothing); the next run's update-with-start begins a fresh one.
 */
export async function budgetKeeperWorkflow(input: BudgetKeeperInput): Promise<PeriodLedgerView> {
  const now = () => Date.now();
  const state: KeeperState = input.state ?? {
    budget: input.budget,
    periodStart: periodStartOf(now(), input.budget.period),
    committed: { ...ZERO_AMOUNT },
    grants: {},
  };
  let messages = 0;
  const periodEnd = () => periodEndOf(state.periodStart, state.budget.period);
  const outstanding = () => Object.keys(state.grants).length;
  // A new period forgets the old one: runs still holding an old grant return it to nothing.
  const rollPeriod = () => {
    if (now() < periodEnd()) return;
    state.periodStart = periodStartOf(now(), state.budget.period);
    state.committed = { ...ZERO_AMOUNT };
    state.grants = {};
  };
  const view = (): PeriodLedgerView => ({
    budget: state.budget,
    periodStart: new Date(state.periodStart).toISOString(),
    periodEnd: new Date(periodEnd()).toISOString(),
    committed: state.committed,
    left: periodLeft(state.budget, state.committed),
    running: outstanding(),
  });

  setHandler(
    requestGrantUpdate,
    (request: GrantRequest): Grant => {
      messages += 1;
      rollPeriod();
      const held = state.grants[request.runId];
      const limits = held
        ? limitsOf(held, request)
        : grantFor(request.want, periodLeft(state.budget, state.committed));
      if (!held) {
        const amount = { tokens: limits.maxTokens ?? 0, usd: limits.maxCostUsd ?? 0 };
        state.grants[request.runId] = amount;
        state.committed = addAmount(state.committed, amount);
      }
      return { limits, empty: grantIsEmpty(limits), periodEnd: new Date(periodEnd()).toISOString() };
    },
    {
      validator: (request) => {
        if (!state.grants[request.runId] && outstanding() >= MAX_OUTSTANDING_GRANTS)
          throw invalid(
            `${MAX_OUTSTANDING_GRANTS} runs of this schedule already hold a grant; let some finish`,
          );
      },
    },
  );

  setHandler(returnGrantSignal, ({ runId, spent }) => {
    messages += 1;
    const grant = state.grants[runId];
    if (!grant) return;
    // A run never gives back more than it was granted, nor keeps less than it spent.
    const unspent: Amount = {
      tokens: Math.max(0, grant.tokens - spent.tokens),
      usd: Math.max(0, Math.round((grant.usd - spent.usd) * 1e9) / 1e9),
    };
    state.committed = addAmount(state.committed, unspent, -1);
    delete state.grants[runId];
  });

  setHandler(periodLedgerQuery, view);

  const mustContinue = () => messages >= MAX_MESSAGES_PER_RUN || workflowInfo().continueAsNewSuggested;
  // Until the period ends (a durable timer): a grant counts in the period it was made in, so the
  // period's end leaves nothing to keep unless a request has already begun the next one.
  const ended = !(await condition(mustContinue, Math.max(1, periodEnd() - now())));
  await condition(allHandlersFinished);
  if (ended) {
    rollPeriod();
    if (outstanding() === 0 && state.committed.tokens === 0 && state.committed.usd === 0) return view();
  }
  return continueAsNew<typeof budgetKeeperWorkflow>({ budget: state.budget, state });
}

/** The limits of a grant already made, in the units the run asked in. */
function limitsOf(held: Amount, request: GrantRequest) {
  return {
    ...(request.want.maxTokens !== undefined ? { maxTokens: held.tokens } : {}),
    ...(request.want.maxCostUsd !== undefined ? { maxCostUsd: held.usd } : {}),
  };
}
