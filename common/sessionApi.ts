import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { BudgetView } from './budget';
import type { RaiseBudgetInput } from './budgetRaise';
import type { OrchestrationStrategy, ParticipantSpec, ParticipantSpecInput } from './participants';
import type {
  ParticipantRecord,
  RoundResult,
  SendMessageInput,
  SessionView,
  SetParticipantRoleInput,
  TranscriptEntry,
} from './session';

/** Runs one round under the current strategy and returns its responses. */
export const sendMessageUpdate = defineUpdate<RoundResult, [SendMessageInput]>('sendMessage');
export const addParticipantUpdate = defineUpdate<ParticipantSpec, [ParticipantSpecInput]>('addParticipant');
export const removeParticipantUpdate = defineUpdate<ParticipantSpec, [string]>('removeParticipant');
/** Changes a participant's role (and priority) in place: its history and usage stay. */
export const setParticipantRoleUpdate = defineUpdate<ParticipantSpec, [SetParticipantRoleInput]>(
  'setParticipantRole',
);
export const setStrategyUpdate = defineUpdate<OrchestrationStrategy, [OrchestrationStrategy]>(
  'setOrchestrationStrategy',
);
/** Cancels a participant's call in flight; the round goes on without it. */
export const skipParticipantUpdate = defineUpdate<boolean, [string]>('skipParticipant');
/**
 * A person says stop: the round in progress ends after its current turn, under strategies that
 * take turns until a condition holds (`selector`); others finish their round. True if a round was running.
 */
export const stopRoundUpdate = defineUpdate<boolean, []>('stopRound');
/** Ends the session after the current round. */
export const closeSessionUpdate = defineUpdate<void, []>('closeSession');

export const sessionViewQuery = defineQuery<SessionView>('session');
export const participantQuery = defineQuery<ParticipantRecord | null, [string]>('participant');
export const transcriptQuery = defineQuery<TranscriptEntry[], [{ fromIndex?: number } | undefined]>(
  'transcript',
);

/**
 * Raises the session's budget (by or to an amount, in dollars or tokens): a call an `ask` budget
 * holds goes on once it fits, and a spent budget takes rounds again. Returns the budget after it.
 */
export const raiseBudgetUpdate = defineUpdate<BudgetView, [RaiseBudgetInput]>('raiseBudget');
/**
 * Stops the session's budget: no further call is admitted; a call an `ask` budget holds is refused,
 * as under `onExhausted: stop`. Returns the budget after it.
 */
export const stopBudgetUpdate = defineUpdate<BudgetView, []>('stopBudget');
