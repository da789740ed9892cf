import { patched } from '@temporalio/workflow';
import type { ParticipantSpec } from '../../common/participants';
import type { ParticipantCallState, ParticipantResponse, SessionState } from '../../common/session';
import { callModel, type CallIds, type InFlightCalls } from '../shared/callModel';
import { answered } from '../strategies/phases';
import { phaseOf, runRound, splitByRole } from '../strategies/roles';
import { STRATEGIES, type RoundContext, type RoundSeam } from '../strategies';
import { LIMITS } from '../../common/defaults';
import { jsonBytes } from '../../common/size';
import { boundHistory, callShares } from './bounds';
import { promptFor, SYSTEM_ROUND_TURN, turnText } from './prompt';
import { findParticipant, strategyMemory } from './state';
import {
  appendTranscript,
  recordAnswer,
  recordObserved,
  recordVerdicts,
  rememberInstruction,
} from './roundRecords';
import { addUsage, ZERO_USAGE } from '../../common/llm';
import { emptyLedger } from '../../common/budget';
import { BUDGET_DOWNGRADE_PATCH, BUDGET_LEDGER_PATCH, BudgetGate, chargeOf } from '../shared/budget';
import { BUDGET_ASK_PATCH, type BudgetAsk } from '../shared/budgetAsk';
import { RoundCloser, type ClosedEarly } from './quorum';

/** Patch id of the change that gives a `system` message to the models as a system instruction. */
const SYSTEM_INSTRUCTION_PATCH = 'session-system-instruction';

/** Patch id of the change that calls evaluators in their priority place under `custom` (not last). */
const RANKED_EVALUATORS_PATCH = 'custom-evaluators-by-priority';

/** Patch id of the change that gives the participants the evaluators' verdicts for later rounds. */
const VERDICTS_PATCH = 'session-evaluator-verdicts';

/** Patch id of the change that shows a supervisor which workers failed (it saw only the answers). */
const FAILURES_SHOWN_PATCH = 'session-failures-shown';

const failedOrSkipped = (response: ParticipantResponse) => response.status !== 'ok';
const names = (specs: readonly ParticipantSpec[]) => specs.map((spec) => spec.name);

/** Live state of the round in progress, for queries and progress displays. */
export interface ActiveRound {
  round: number;
  states: Record<string, ParticipantCallState>;
}

/** How a round is driven from outside: its calls in flight, its call ids, its live view, a person's stop. */
export interface RoundControls {
  inFlight: InFlightCalls;
  ids: CallIds;
  /** Hears of the round at its start, at every participant's change of state, and (undefined) at its end. */
  onActive: (active: ActiveRound | undefined) => void;
  stopRequested: () => boolean;
  /** Where a call that an `ask` budget cannot cover waits for a person; only under such a budget. */
  budgetAsk?: BudgetAsk;
}

/** A round as played: its responses, and (closed early by a quorum or deadline) its late calls. */
export interface PlayedRound {
  responses: ParticipantResponse[];
  closedEarly?: ClosedEarly;
  /** Resolves once the late calls have ended; the next round waits for it. Absent when none are late. */
  late?: Promise<void>;
}

/** Runs one round of the session under its current strategy and records it. */
export async function playRound(
  state: SessionState,
  message: { role: 'user' | 'system'; content: string; participants?: string[] },
  { inFlight, ids, onActive, stopRequested, budgetAsk }: RoundControls,
): Promise<PlayedRound> {
  state.round += 1;
  const round = state.round;
  const strategy = state.config.strategy;
  const note = (content: string) =>
    appendTranscript(state, { round, from: strategy, role: 'system', content, status: 'ok' });
  const settings = { selector: state.config.selector };
  const everyone = state.participants.map((record) => record.spec);
  const chosen = message.participants ? new Set(message.participants) : undefined;
  const taking = everyone.filter((spec) => spec.role === 'observer' || !chosen || chosen.has(spec.name));
  const roles = splitByRole(taking);
  const active: ActiveRound = { round, states: {} };
  for (const spec of [...roles.main, ...roles.evaluators]) active.states[spec.name] = 'waiting';
  const mainCalls = STRATEGIES[strategy].maxCalls?.(roles.main.length, settings) ?? roles.main.length;
  const shares = callShares(mainCalls + roles.evaluators.length);
  // A system message is given as a system instruction (rounds recorded before were a user turn).
  const instruction =
    message.role === 'system' && patched(SYSTEM_INSTRUCTION_PATCH) ? message.content : undefined;
  const asked = instruction === undefined ? message.content : SYSTEM_ROUND_TURN;
  const budget = budgetGate(state, budgetAsk);
  const closer = new RoundCloser(RoundCloser.ruleOf(state.config), round, {
    running: () => Object.keys(active.states).filter((name) => active.states[name] === 'thinking'),
    note,
  });
  onActive(active);
  appendTranscript(state, {
    round,
    from: message.role,
    role: message.role,
    content: message.content,
    status: 'ok',
  });

  const invoke: RoundContext['invoke'] = async (spec, offered, purpose = {}) => {
    // Failures shown (hierarchical's supervisors): runs recorded before were shown answers only.
    const shown =
      offered.some(failedOrSkipped) && !patched(FAILURES_SHOWN_PATCH) ? answered(offered) : offered;
    const record = findParticipant(state, spec.name);
    if (!record) return removedResponse(spec, round);
    active.states[spec.name] = 'thinking';
    onActive(active);
    // Late: started in the round, ended after a quorum or deadline closed it (evaluators start after).
    const startedOpen = !closer.isClosed();
    // Within its share of the round: half for the turn at most, the rest for the history (the
    // oldest messages leave the record itself, counted, so the activity's trimming stays aligned).
    const ask = purpose.ask?.(asked) ?? asked;
    const turn = turnText(ask, shown, Math.min(LIMITS.maxTurnBytes, Math.floor(shares.prompt / 2)));
    const instructions = jsonBytes(record.instructions ?? []) + jsonBytes(instruction ?? '');
    boundHistory(record, shares.prompt - jsonBytes(turn) - instructions);
    const messages = promptFor(state.config.systemPrompt, record, turn, instruction);
    const outcome = await callModel(spec, messages, {
      site: { round, phase: purpose.phase ?? phaseOf(strategy, spec), participant: spec.name },
      ids,
      maxContextTokens: state.config.maxTokens,
      maxAnswerBytes: shares.answer,
      inFlight,
      budget,
    });
    const response: ParticipantResponse = {
      participantName: spec.name,
      participantRole: spec.role,
      content: outcome.status === 'ok' ? outcome.response.content : '',
      tokenUsage: outcome.status === 'ok' ? outcome.response.tokenUsage : { ...ZERO_USAGE },
      status: outcome.status,
      error: outcome.status === 'ok' ? undefined : outcome.error,
      truncated: outcome.status === 'ok' && outcome.response.truncated,
      round,
      shown: shown.map((r) => r.participantName),
      ...chargeOf(outcome),
      ...(outcome.status === 'ok' && outcome.response.servedBy && { servedBy: outcome.response.servedBy }),
      ...(purpose.kind && { kind: purpose.kind }),
    };
    active.states[spec.name] = outcome.status === 'ok' ? 'done' : outcome.status;
    onActive(active);
    const dropped = outcome.status === 'ok' ? outcome.response.droppedMessages : 0;
    recordAnswer(state, record, turn, response, dropped);
    appendTranscript(state, {
      round,
      from: spec.name,
      role: spec.role,
      content: response.content,
      status: response.status,
      tokenUsage: response.tokenUsage,
      ...(response.downgradedTo && { downgradedTo: response.downgradedTo }),
      ...(response.servedBy && { servedBy: response.servedBy }),
      ...(purpose.kind && { kind: purpose.kind }),
      ...(startedOpen && closer.isClosed() && { late: true as const }),
    });
    return response;
  };

  const seam: RoundSeam = {
    round,
    message: message.content,
    transcript: state.transcript,
    settings,
    memory: strategyMemory(state, strategy),
    callModel: async (caller, messages, call) => {
      const outcome = await callModel(caller, messages, {
        site: { round, phase: call.phase, participant: call.label },
        ids,
        maxContextTokens: state.config.maxTokens,
        maxAnswerBytes: call.maxAnswerBytes,
        budget,
      });
      if (outcome.status === 'ok') state.usage = addUsage(state.usage, outcome.response.tokenUsage);
      return outcome;
    },
    note,
    stopRequested,
    patched,
    gather: (calls) => closer.gather(calls),
  };
  const ranked = STRATEGIES[strategy].ranksEvaluators && roles.evaluators.length > 0;
  const rankEvaluators = !ranked || patched(RANKED_EVALUATORS_PATCH);
  const responses = await runRound(STRATEGIES[strategy], taking, invoke, seam, rankEvaluators);
  const evaluated = responses.some((r) => r.participantRole === 'evaluator' && r.status === 'ok');
  if (evaluated && patched(VERDICTS_PATCH)) recordVerdicts(state, names(roles.main), responses);
  const answers = responses.filter((response) => response.status === 'ok');
  for (const observer of roles.observers) {
    const record = findParticipant(state, observer.name);
    if (record) recordObserved(record, turnText(asked, answers));
  }
  if (instruction !== undefined) {
    for (const spec of taking) {
      const record = findParticipant(state, spec.name);
      if (record) rememberInstruction(record, instruction);
    }
  }
  const { closedEarly } = closer;
  if (!closedEarly) {
    onActive(undefined);
    return { responses };
  }
  // The live view keeps the late calls until they end.
  return { responses, closedEarly, late: closer.settled.then(() => onActive(undefined)) };
}

/** The round's budget gate over the session's ledger, when the session has a budget. */
function budgetGate(state: SessionState, budgetAsk: BudgetAsk | undefined): BudgetGate | undefined {
  if (!state.config.budget || !patched(BUDGET_LEDGER_PATCH)) return undefined;
  state.ledger ??= emptyLedger();
  const { downgradeTo, onExhausted } = state.config.budget;
  // Asked only of a downgrading (asking) budget: histories of every other config never reach the marker.
  const downgrading = downgradeTo !== undefined && patched(BUDGET_DOWNGRADE_PATCH);
  const asking = onExhausted === 'ask' && budgetAsk !== undefined && patched(BUDGET_ASK_PATCH);
  return new BudgetGate(
    state.config.budget,
    state.ledger,
    downgrading ? downgradeTo : undefined,
    asking ? budgetAsk : undefined,
  );
}

function removedResponse(spec: ParticipantSpec, round: number): ParticipantResponse {
  return {
    participantName: spec.name,
    participantRole: spec.role,
    content: '',
    tokenUsage: { ...ZERO_USAGE },
    status: 'skipped',
    error: { type: 'Skipped', message: `${spec.name} left the session before its turn` },
    truncated: false,
    round,
    shown: [],
  };
}
