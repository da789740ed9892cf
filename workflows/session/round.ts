import type { ParticipantSpec } from '../../common/participants';
import type { ParticipantCallState, ParticipantResponse, SessionState } from '../../common/session';
import { callParticipant, type CallIds, type InFlightCalls } from '../shared/callParticipant';
import { phaseOf, runRound, splitByRole } from '../strategies/roles';
import { STRATEGIES } from '../strategies';
import { LIMITS } from '../../common/defaults';
import { jsonBytes } from '../../common/size';
import { boundHistory, callShares } from './bounds';
import { promptFor, turnText } from './prompt';
import { appendTranscript, findParticipant, recordAnswer, recordObserved, strategyMemory } from './state';
import { addUsage, ZERO_USAGE } from '../../common/llm';
import type { RoundSeam } from '../strategies';
import { emptyLedger } from '../../common/budget';
import { patched } from '@temporalio/workflow';
import { BUDGET_LEDGER_PATCH, BudgetGate } from '../shared/budget';

/** Live state of the round in progress, for queries and progress displays. */
export interface ActiveRound {
  round: number;
  states: Record<string, ParticipantCallState>;
}

/** How a round is driven from outside: its calls in flight, its call ids, its live view, a person's stop. */
export interface RoundControls {
  inFlight: InFlightCalls;
  ids: CallIds;
  onActive: (active: ActiveRound | undefined) => void;
  stopRequested: () => boolean;
}

/** Runs one round of the session under its current strategy and records it. */
export async function playRound(
  state: SessionState,
  message: { role: 'user' | 'system'; content: string; participants?: string[] },
  { inFlight, ids, onActive, stopRequested }: RoundControls,
): Promise<ParticipantResponse[]> {
  state.round += 1;
  const round = state.round;
  const strategy = state.config.strategy;
  const settings = { selector: state.config.selector };
  const everyone = state.participants.map((record) => record.spec);
  const chosen = message.participants ? new Set(message.participants) : undefined;
  const taking = everyone.filter((spec) => spec.role === 'observer' || !chosen || chosen.has(spec.name));
  const roles = splitByRole(taking);
  const active: ActiveRound = { round, states: {} };
  for (const spec of [...roles.main, ...roles.evaluators]) active.states[spec.name] = 'waiting';
  const mainCalls = STRATEGIES[strategy].maxCalls?.(roles.main.length, settings) ?? roles.main.length;
  const shares = callShares(mainCalls + roles.evaluators.length);
  const budget = budgetGate(state);
  onActive(active);
  appendTranscript(state, {
    round,
    from: message.role,
    role: message.role,
    content: message.content,
    status: 'ok',
  });

  const invoke = async (spec: ParticipantSpec, shown: readonly ParticipantResponse[]) => {
    const record = findParticipant(state, spec.name);
    if (!record) return removedResponse(spec, round);
    active.states[spec.name] = 'thinking';
    // Within its share of the round: half for the turn at most, the rest for the history (the
    // oldest messages leave the record itself, counted, so the activity's trimming stays aligned).
    const turn = turnText(
      message.content,
      shown,
      Math.min(LIMITS.maxTurnBytes, Math.floor(shares.prompt / 2)),
    );
    boundHistory(record, shares.prompt - jsonBytes(turn));
    const messages = promptFor(state.config.systemPrompt, record, turn);
    const outcome = await callParticipant(spec, messages, {
      site: { round, phase: phaseOf(strategy, spec), participant: spec.name },
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
      ...(outcome.costUsd !== undefined && { costUsd: outcome.costUsd }),
    };
    active.states[spec.name] = outcome.status === 'ok' ? 'done' : outcome.status;
    const dropped = outcome.status === 'ok' ? outcome.response.droppedMessages : 0;
    recordAnswer(state, record, turn, response, dropped);
    appendTranscript(state, {
      round,
      from: spec.name,
      role: spec.role,
      content: response.content,
      status: response.status,
      tokenUsage: response.tokenUsage,
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
      const outcome = await callParticipant(caller, messages, {
        site: { round, phase: call.phase, participant: call.label },
        ids,
        maxContextTokens: state.config.maxTokens,
        maxAnswerBytes: call.maxAnswerBytes,
        budget,
      });
      if (outcome.status === 'ok') state.usage = addUsage(state.usage, outcome.response.tokenUsage);
      return outcome;
    },
    note: (content) =>
      appendTranscript(state, { round, from: strategy, role: 'system', content, status: 'ok' }),
    stopRequested,
  };
  const responses = await runRound(STRATEGIES[strategy], taking, invoke, seam);
  const answers = responses.filter((response) => response.status === 'ok');
  for (const observer of roles.observers) {
    const record = findParticipant(state, observer.name);
    if (record) recordObserved(record, turnText(message.content, answers));
  }
  onActive(undefined);
  return responses;
}

/** The round's budget gate over the session's ledger, when the session has a budget. */
function budgetGate(state: SessionState): BudgetGate | undefined {
  if (!state.config.budget || !patched(BUDGET_LEDGER_PATCH)) return undefined;
  state.ledger ??= emptyLedger();
  return new BudgetGate(state.config.budget, state.ledger);
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
