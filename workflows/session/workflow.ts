import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { LIMITS } from '../../common/defaults';
import {
  CouncilCostUsdKey,
  CouncilKindKey,
  CouncilStatusKey,
  CouncilStrategyKey,
} from '../../common/searchAttributes';
import {
  SESSION_SUMMARY_MEMO_KEY,
  sendMessageSchema,
  setParticipantRoleSchema,
  type RoundResult,
  type SendMessageInput,
  type SessionConfigInput,
  type SessionState,
  type SessionView,
} from '../../common/session';
import {
  addParticipantUpdate,
  closeSessionUpdate,
  participantQuery,
  removeParticipantUpdate,
  sendMessageUpdate,
  sessionViewQuery,
  setParticipantRoleUpdate,
  setStrategyUpdate,
  skipParticipantUpdate,
  stopRoundUpdate,
  transcriptQuery,
} from '../../common/sessionApi';
import { ORCHESTRATION_STRATEGIES, type ParticipantSpecInput } from '../../common/participants';
import { PROVIDER_POLICY_PATCH } from '../../common/policy';
import { sessionQuorumProblem } from '../../common/quorum';
import { zodProblem } from '../../common/validation';
import { CallIds, CANCELLED_RUN_PATCH, type InFlightCalls } from '../shared/callModel';
import { policyRefusal } from '../shared/providerPolicy';
import { STRATEGIES } from '../strategies';
import { checkParticipants } from '../strategies/roles';
import { jsonBytes } from '../../common/size';
import { boundRoundResult, fitCarriedState } from './bounds';
import { loadCarriedState } from './carriedState';
import { playRound, type ActiveRound } from './round';
import {
  addParticipant,
  findParticipant,
  initialState,
  requireParticipant,
  transcriptFrom,
  validateParticipant,
  viewOf,
} from './state';
import { SUMMARY_MEMO_PATCH, summaryOf } from './summary';
import { sessionDetails } from './details';
import { invalid } from '../shared/invalid';
import { budgetAskOf, downgradePolicySubjects, registerBudgetHandlers } from './budgetHandlers';
import type { ScheduledPeriodBudget } from '../../common/periodBudget';
import { PERIOD_BUDGET_PATCH, takePeriodGrant } from './periodGrant';

/**
 * Patch id of the change that continues-as-new once a run's history passes
 * LIMITS.continueAsNewHistoryBytes (not only when the server suggests it at 4 MiB).
 */
const HISTORY_BYTES_PATCH = 'history-bytes-continue-as-new';

/** Patch id of the change that marks a cancelled session's CouncilStatus as `cancelled`. */
const CANCELLED_STATUS_PATCH = 'session-cancelled-status';
/** Patch id of {@link SessionWorkflowInput.closeAfterFirstRound}: runs of older code ignored the flag. */
const CLOSE_AFTER_FIRST_ROUND_PATCH = 'session-close-after-first-round';
/**
 * Patch id of the CouncilCostUsd search attribute: a budgeted session upserts its spend when it
 * changes. Asked only then, so histories without a budget never reach the marker.
 */
const COST_SEARCH_ATTRIBUTE_PATCH = 'cost-search-attribute';

/** Input of {@link sessionWorkflow}: a config for a new session, or the state carried from the last run. */
export interface SessionWorkflowInput {
  config: SessionConfigInput;
  state?: SessionState;
  /** Play one round with this message, then close: a session that completes on its own (schedules). */
  oneShot?: SendMessageInput;
  /**
   * Close once the first round, sent by update (`council run` uses update-with-start), has been
   * played: the session ends even if the client that asked is gone.
   */
  closeAfterFirstRound?: boolean;
  /** A scheduled run's share of its schedule's period budget: asked for before the one-shot round. */
  periodBudget?: ScheduledPeriodBudget;
}

/**
 * A long-lived multi-participant session. Rounds run one at a time through the `sendMessage`
 * update; participants and strategy change through updates; the session continues-as-new when
 * the server suggests it, carrying its whole state.
 */
export async function sessionWorkflow(input: SessionWorkflowInput): Promise<SessionView> {
  const state = input.state ? loadCarriedState(input.state) : initialState(input.config);
  const inFlight: InFlightCalls = new Map();
  const ids = new CallIds();
  let active: ActiveRound | undefined;
  let roundRunning = false;
  // Set by the stopRound update, for the round running then only.
  let stopRequested = false;
  let updatesThisRun = 0;
  // Set after a round: the run's history is big enough that the next round belongs in a new run.
  let historyFull = false;
  // Rounds run one at a time, in the order their updates arrived.
  let ticketsIssued = 0;
  let ticketsServed = 0;

  // The Web UI's live line; no command, so it needs no patch.
  const showDetails = () => setCurrentDetails(sessionDetails(state, active));
  const setActive = (next: ActiveRound | undefined) => {
    active = next;
    showDetails();
  };
  // The worker's provider policy on the participants a new session starts with (carried ones were
  // checked when they joined). Rounds and joins wait for it; a refusal ends the session.
  const startCheck =
    !input.state && state.participants.length > 0 && patched(PROVIDER_POLICY_PATCH)
      ? policyRefusal([
          ...state.participants.map((p) => ({ participant: p.spec.name, model: p.spec.model })),
          ...downgradePolicySubjects(state),
        ])
      : undefined;
  const passStartCheck = async () => {
    const refusal = await startCheck;
    if (refusal) throw refusal;
  };

  const statusNow = () => {
    if (state.closed) return 'closed';
    // Only an `ask` budget ever waits: no other history reaches this value.
    if (state.ledger?.waiting) return 'waiting-budget';
    return roundRunning ? 'running' : 'idle';
  };
  // What the run starts with is published already: a continued run inherits its search attributes.
  let publishedCostUsd = state.ledger?.spent.usd ?? 0;
  const publishCost = () => {
    const spentUsd = state.ledger?.spent.usd;
    if (spentUsd === undefined || spentUsd === publishedCostUsd) return;
    if (!patched(COST_SEARCH_ATTRIBUTE_PATCH)) return;
    publishedCostUsd = spentUsd;
    upsertSearchAttributes([{ key: CouncilCostUsdKey, value: spentUsd }]);
  };
  const publishStatus = () => {
    upsertSearchAttributes([
      { key: CouncilKindKey, value: 'session' },
      { key: CouncilStatusKey, value: statusNow() },
      { key: CouncilStrategyKey, value: state.config.strategy },
    ]);
    publishCost();
  };
  publishStatus();
  showDetails();
  const budgetAsk = budgetAskOf(state, () => {
    publishStatus();
    showDetails();
  });

  const acceptingUpdates = () => {
    if (state.closed) throw invalid('this session is closed: start a new one');
  };

  const checkMessage = (request: SendMessageInput) => {
    acceptingUpdates();
    if (state.ledger?.exhausted) {
      throw invalid(
        'this session has spent its budget (a call was refused): read `budget` in its view, and raise it ' +
          '(`council budget raise ID --by-usd N`) or start a new session with a larger one',
      );
    }
    const parsed = sendMessageSchema.safeParse(request);
    if (!parsed.success) throw invalid(`invalid message: ${zodProblem(parsed.error)}`);
    for (const name of parsed.data.participants ?? []) requireParticipant(state, name);
    const problem = checkParticipants(
      STRATEGIES[state.config.strategy],
      state.participants.map((p) => p.spec),
      { selector: state.config.selector },
    );
    if (problem) throw invalid(problem);
  };

  const playInTurn = async (request: SendMessageInput): Promise<RoundResult> => {
    const message = sendMessageSchema.parse(request);
    if (startCheck) await passStartCheck();
    const ticket = ticketsIssued++;
    await condition(() => ticketsServed === ticket);
    roundRunning = true;
    stopRequested = false;
    publishStatus();
    // Calls a quorum or deadline left running: the round's turn ends when they do, not before.
    let late: Promise<void> | undefined;
    try {
      const strategy = state.config.strategy;
      const played = await playRound(state, message, {
        inFlight,
        ids,
        onActive: setActive,
        stopRequested: () => stopRequested,
        budgetAsk,
      });
      ({ late } = played);
      const { responses, closedEarly } = played;
      const { budget } = viewOf(state, undefined);
      return boundRoundResult({
        round: responses[0]?.round ?? state.round,
        strategy,
        responses,
        ...(budget && { budget }),
        ...(closedEarly && { closedEarly }),
      });
    } finally {
      // Without late calls the turn ends here, with the commands of sessions recorded before.
      if (late) void late.then(endTurn, endTurn);
      else endTurn();
    }
  };

  /** Ends a round's turn: the next round (or continue-as-new, or closing) may go. */
  const endTurn = () => {
    roundRunning = false;
    historyFull ||=
      workflowInfo().historySize > LIMITS.continueAsNewHistoryBytes && patched(HISTORY_BYTES_PATCH);
    ticketsServed += 1;
    publishStatus();
  };

  const close = async () => {
    await condition(() => ticketsServed === ticketsIssued);
    state.closed = true;
    publishStatus();
    showDetails();
    // A new command: histories of sessions closed before it have none, so they replay without it.
    if (patched(SUMMARY_MEMO_PATCH)) upsertMemo({ [SESSION_SUMMARY_MEMO_KEY]: summaryOf(state) });
  };

  setHandler(
    sendMessageUpdate,
    (request) => {
      updatesThisRun += 1;
      return playInTurn(request);
    },
    { validator: checkMessage },
  );

  /** Adds a participant once the worker's provider policy lets its model be called. */
  const addChecked = async (joining: ParticipantSpecInput) => {
    if (startCheck) await passStartCheck();
    const { name, model } = validateParticipant(state, joining);
    const refusal = await policyRefusal([{ participant: name, model }]);
    if (refusal) throw refusal;
    const added = addParticipant(state, joining).spec;
    showDetails();
    return added;
  };

  setHandler(
    addParticipantUpdate,
    (spec) => {
      updatesThisRun += 1;
      // Histories from before the policy check add at once, with no command in between.
      if (patched(PROVIDER_POLICY_PATCH)) return addChecked(spec);
      const added = addParticipant(state, spec).spec;
      showDetails();
      return added;
    },
    {
      validator: (spec) => {
        acceptingUpdates();
        validateParticipant(state, spec);
      },
    },
  );

  setHandler(
    removeParticipantUpdate,
    (name) => {
      updatesThisRun += 1;
      const record = requireParticipant(state, name);
      state.participants = state.participants.filter((p) => p !== record);
      showDetails();
      return record.spec;
    },
    { validator: (name) => void requireParticipant(state, name) },
  );

  setHandler(
    setParticipantRoleUpdate,
    (request) => {
      updatesThisRun += 1;
      const { name, role, priority } = setParticipantRoleSchema.parse(request);
      const record = requireParticipant(state, name);
      // A new spec object: a round in progress keeps the one it started with.
      record.spec = { ...record.spec, role, priority: priority ?? record.spec.priority };
      return record.spec;
    },
    {
      validator: (request) => {
        acceptingUpdates();
        const parsed = setParticipantRoleSchema.safeParse(request);
        if (!parsed.success) throw invalid(`invalid role change: ${zodProblem(parsed.error)}`);
        requireParticipant(state, parsed.data.name);
      },
    },
  );

  setHandler(
    setStrategyUpdate,
    (strategy) => {
      updatesThisRun += 1;
      state.config.strategy = strategy;
      publishStatus();
      showDetails();
      return strategy;
    },
    {
      validator: (strategy) => {
        acceptingUpdates();
        if (!ORCHESTRATION_STRATEGIES.includes(strategy)) {
          throw invalid(
            `unknown strategy "${strategy}": expected one of ${ORCHESTRATION_STRATEGIES.join(', ')}`,
          );
        }
        const quorum = sessionQuorumProblem({ ...state.config, strategy });
        if (quorum) throw invalid(`cannot change strategy: ${quorum}`);
      },
    },
  );

  setHandler(
    skipParticipantUpdate,
    (name) => {
      updatesThisRun += 1;
      const scope = inFlight.get(name);
      scope?.cancel();
      return scope !== undefined;
    },
    { validator: (name) => void requireParticipant(state, name) },
  );

  setHandler(stopRoundUpdate, () => {
    updatesThisRun += 1;
    stopRequested = roundRunning;
    return roundRunning;
  });

  setHandler(closeSessionUpdate, () => {
    updatesThisRun += 1;
    return close();
  });

  registerBudgetHandlers(state, budgetAsk, {
    acceptingUpdates,
    counted: () => void (updatesThisRun += 1),
    changed: showDetails,
    ...(input.periodBudget && {
      raiseRefusal: "this run's budget is its grant from the schedule's periodBudget: it cannot be raised",
    }),
  });

  setHandler(sessionViewQuery, () => viewOf(state, active));
  setHandler(participantQuery, (name) => findParticipant(state, name) ?? null);
  setHandler(transcriptQuery, (options) => transcriptFrom(state, options?.fromIndex ?? 0));

  const shouldContinueAsNew = () =>
    !roundRunning &&
    (workflowInfo().continueAsNewSuggested ||
      historyFull ||
      updatesThisRun >= LIMITS.maxUpdatesPerRun ||
      state.round - roundsAtStart >= LIMITS.maxRoundsPerRun);
  const roundsAtStart = state.round;

  try {
    const refusal = startCheck && (await startCheck);
    if (refusal) {
      await condition(allHandlersFinished);
      throw refusal;
    }
    if (input.oneShot && !input.state) {
      checkMessage(input.oneShot);
      const grant =
        input.periodBudget && patched(PERIOD_BUDGET_PATCH)
          ? await takePeriodGrant(state, input.periodBudget)
          : undefined;
      try {
        await playInTurn(input.oneShot);
      } finally {
        await grant?.settle();
      }
      await close();
    }
    if (input.closeAfterFirstRound && !input.state && patched(CLOSE_AFTER_FIRST_ROUND_PATCH)) {
      await condition(() => ticketsServed > 0 || state.closed);
      if (!state.closed) await close();
    }
    await condition(() => state.closed || shouldContinueAsNew());
    await condition(allHandlersFinished);
  } catch (error) {
    // A round cut short ends its handler (which publishes `idle`) before the session says
    // `cancelled`: the cancellation must be the last command. Older histories did not wait.
    if (isCancellation(error) && patched(CANCELLED_RUN_PATCH)) {
      await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
    }
    // Cancelled sessions say so in the list and the Web UI; older histories never reach this command.
    if (isCancellation(error) && patched(CANCELLED_STATUS_PATCH)) {
      upsertSearchAttributes([{ key: CouncilStatusKey, value: 'cancelled' }]);
    }
    throw error;
  }
  if (state.closed) return viewOf(state, undefined);
  // The state holds the participants: the config's initial list would only double the input.
  const next = (): SessionWorkflowInput => ({
    config: { ...input.config, participants: [] },
    state: { ...state, runs: state.runs + 1 },
  });
  fitCarriedState(state, () => jsonBytes(next()));
  return continueAsNew<typeof sessionWorkflow>(next());
}
