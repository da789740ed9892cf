import { patched } from '../shared/patches';
import { LIMITS } from '../../common/defaults';
import { ZERO_USAGE } from '../../common/llm';
import type { OrchestrationStrategy, ParticipantSpec } from '../../common/participants';
import type { ParticipantCallState, ParticipantResponse, SessionState } from '../../common/session';
import { jsonBytes } from '../../common/size';
import { chargeOf, type BudgetGate } from '../shared/budget';
import type { CallIds } from '../shared/callIds';
import { callModel, type InFlightCalls } from '../shared/callModel';
import { answered } from '../strategies/phases';
import { phaseOf } from '../strategies/roles';
import type { RoundContext } from '../strategies';
import { boundHistory, type CallShares } from './bounds';
import { promptFor, turnText } from './prompt';
import type { RoundCloser } from './quorum';
import { appendTranscript, recordAnswer } from './roundRecords';
import { clippedError, lastTranscriptIndex, logProgress } from './progress';
import { findParticipant } from './state';

/** Patch id of the change that shows a supervisor which workers failed (it saw only the answers). */
const FAILURES_SHOWN_PATCH = 'session-failures-shown';

/**
 * Patch id of the change that logs a budgeted call's `thinking` once the budget admits it: runs
 * recorded before logged it ahead of the budget's gate, so a held call read thinking, then waiting.
 */
export const THINKING_ADMITTED_PATCH = 'thinking-after-budget';

const failedOrSkipped = (response: ParticipantResponse) => response.status !== 'ok';

/** What one participant's call needs of the round it is made in, fixed as the round starts. */
export interface RoundCallSetting {
  state: SessionState;
  round: number;
  strategy: OrchestrationStrategy;
  /** The round's message as the participants are asked it (a stand-in turn under a system instruction). */
  asked: string;
  /** The round's message when it is a system instruction. */
  instruction: string | undefined;
  shares: CallShares;
  closer: RoundCloser;
  budget: BudgetGate | undefined;
  ids: CallIds;
  inFlight: InFlightCalls;
  /** Sets a participant's state in the round's live view. */
  mark: (name: string, callState: ParticipantCallState) => void;
}

/**
 * The round's `invoke`: calls one participant, shown some answers, within its share of the round's
 * bytes, and records its answer in its history and the transcript.
 */
export function participantCaller(setting: RoundCallSetting): RoundContext['invoke'] {
  const { state, round, strategy, asked, instruction, shares, closer, budget, ids, inFlight, mark } = setting;
  return async (spec, offered, purpose = {}) => {
    // Failures shown (hierarchical's supervisors): runs recorded before were shown answers only.
    const shown =
      offered.some(failedOrSkipped) && !patched(FAILURES_SHOWN_PATCH) ? answered(offered) : offered;
    const record = findParticipant(state, spec.name);
    if (!record) {
      const removed = removedResponse(spec, round);
      logProgress(state, {
        kind: 'call',
        round,
        participant: spec.name,
        role: spec.role,
        state: 'skipped',
        ...(removed.error && { error: removed.error }),
      });
      return removed;
    }
    const begin = () => {
      mark(spec.name, 'thinking');
      logProgress(state, { kind: 'call', round, participant: spec.name, role: spec.role, state: 'thinking' });
    };
    const beginsWhenAdmitted = budget !== undefined && patched(THINKING_ADMITTED_PATCH);
    if (!beginsWhenAdmitted) begin();
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
      ...(beginsWhenAdmitted && { onAdmitted: begin }),
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
    mark(spec.name, outcome.status === 'ok' ? 'done' : outcome.status);
    const dropped = outcome.status === 'ok' ? outcome.response.droppedMessages : 0;
    recordAnswer(state, record, turn, response, dropped);
    const late = startedOpen && closer.isClosed();
    appendTranscript(state, {
      round,
      from: spec.name,
      role: spec.role,
      content: response.content,
      status: response.status,
      tokenUsage: response.tokenUsage,
      ...(response.error && { error: clippedError(response.error) }),
      ...(response.truncated && { truncated: true as const }),
      ...(response.costUsd !== undefined && { costUsd: response.costUsd }),
      ...(response.downgradedTo && { downgradedTo: response.downgradedTo }),
      ...(response.servedBy && { servedBy: response.servedBy }),
      ...(purpose.kind && { kind: purpose.kind }),
      ...(late && { late: true as const }),
    });
    logEnd(state, response, late);
    return response;
  };
}

/** Logs how a call ended, naming its transcript entry (just appended). */
function logEnd(state: SessionState, response: ParticipantResponse, late: boolean): void {
  const { error } = response;
  logProgress(state, {
    kind: 'call',
    round: response.round,
    participant: response.participantName,
    role: response.participantRole,
    state: response.status === 'ok' ? 'done' : response.status,
    transcriptIndex: lastTranscriptIndex(state),
    tokenUsage: response.tokenUsage,
    ...(error && { error: clippedError(error) }),
    ...(late && { late: true as const }),
    ...(response.kind && { responseKind: response.kind }),
    ...(response.costUsd !== undefined && { costUsd: response.costUsd }),
    ...(response.downgradedTo && { downgradedTo: response.downgradedTo }),
  });
}

/** The response of a participant that left the session before its turn came: skipped. */
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
