import { currentUpdateInfo } from '@temporalio/workflow';
import { patched } from '../shared/patches';
import type { ParticipantSpec } from '../../common/participants';
import type { ParticipantCallState, ParticipantResponse, SessionState } from '../../common/session';
import type { CallIds } from '../shared/callIds';
import { callModel, type InFlightCalls } from '../shared/callModel';
import { runRound, splitByRole } from '../strategies/roles';
import { STRATEGIES, type RoundSeam } from '../strategies';
import { callShares } from './bounds';
import { SYSTEM_ROUND_TURN, turnText } from './prompt';
import { findParticipant, strategyMemory } from './state';
import { appendTranscript, recordObserved, recordVerdicts, rememberInstruction } from './roundRecords';
import { participantCaller } from './participantCall';
import { clipped, lastTranscriptIndex, logProgress } from './progress';
import { addUsage, ZERO_USAGE, type TokenUsage } from '../../common/llm';
import { emptyLedger } from '../../common/budget';
import { BUDGET_DOWNGRADE_PATCH, BUDGET_LEDGER_PATCH, BudgetGate } from '../shared/budget';
import { BUDGET_ASK_PATCH, type BudgetAsk } from '../shared/budgetAsk';
import { RoundCloser, type ClosedEarly } from './quorum';

/** Patch id of the change that gives a `system` message to the models as a system instruction. */
const SYSTEM_INSTRUCTION_PATCH = 'session-system-instruction';

/** Patch id of the change that calls evaluators in their priority place under `custom` (not last). */
const RANKED_EVALUATORS_PATCH = 'custom-evaluators-by-priority';

/** Patch id of the change that gives the participants the evaluators' verdicts for later rounds. */
const VERDICTS_PATCH = 'session-evaluator-verdicts';

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
  /** Whether plain calls of roles get their role's request (false to replay rounds recorded before it). */
  roleRequests: boolean;
}

/** A round as played: its responses, and (closed early by a quorum or deadline) its late calls. */
export interface PlayedRound {
  responses: ParticipantResponse[];
  /** Tokens of the round's calls that answer for no participant (the selector's); absent when none. */
  otherCallsUsage?: TokenUsage;
  closedEarly?: ClosedEarly;
  /** Resolves once the late calls have ended; the next round waits for it. Absent when none are late. */
  late?: Promise<void>;
}

/** Runs one round of the session under its current strategy and records it. */
export async function playRound(
  state: SessionState,
  message: { role: 'user' | 'system'; content: string; participants?: string[] },
  { inFlight, ids, onActive, stopRequested, budgetAsk, roleRequests }: RoundControls,
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
    // State, not a command: histories recorded before replay the same. Each name is a participant's
    // (the update's validator checks it): once each, it is bounded by the session's participants.
    ...(message.participants && { to: [...new Set(message.participants)] }),
  });
  const shownText = clipped(message.content);
  // Logged state, no command: histories replay the same with or without it.
  const updateId = currentUpdateInfo()?.id;
  logProgress(state, {
    kind: 'message',
    round,
    from: message.role,
    content: shownText.text,
    ...(shownText.truncated && { truncated: true as const }),
    transcriptIndex: lastTranscriptIndex(state),
    ...(updateId !== undefined && { updateId }),
    answering: [...roles.main, ...roles.evaluators].map(({ name, role }) => ({ name, role })),
  });

  const invoke = participantCaller({
    state,
    round,
    strategy,
    asked,
    instruction,
    shares,
    closer,
    budget,
    ids,
    inFlight,
    mark: (name, callState) => {
      active.states[name] = callState;
      onActive(active);
    },
  });

  let otherCalls: TokenUsage | undefined;
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
      if (outcome.status === 'ok') {
        state.usage = addUsage(state.usage, outcome.response.tokenUsage);
        otherCalls = addUsage(otherCalls ?? { ...ZERO_USAGE }, outcome.response.tokenUsage);
      }
      return outcome;
    },
    note,
    stopRequested,
    patched,
    gather: (calls) => closer.gather(calls),
  };
  const ranked = STRATEGIES[strategy].ranksEvaluators && roles.evaluators.length > 0;
  const rankEvaluators = !ranked || patched(RANKED_EVALUATORS_PATCH);
  const rules = { rankEvaluators, roleRequests };
  const responses = await runRound(STRATEGIES[strategy], taking, invoke, seam, rules);
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
  logProgress(state, { kind: 'roundEnd', round, ...(closedEarly && { closedEarly }) });
  const played = { responses, ...(otherCalls && { otherCallsUsage: otherCalls }) };
  if (!closedEarly) {
    onActive(undefined);
    return played;
  }
  // The live view keeps the late calls until they end.
  return { ...played, closedEarly, late: closer.settled.then(() => onActive(undefined)) };
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
