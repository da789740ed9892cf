import type { BudgetView } from './budget';
import type { TokenUsage } from './llm';
import type { OrchestrationStrategy, ParticipantRole } from './participants';

export type ResponseStatus = 'ok' | 'failed' | 'skipped';

/**
 * What a response is besides a plain answer: `assignment`, a supervisor's tasks for the workers
 * (`hierarchical`); `synthesis`, a moderator's synthesis of the panel's answers (`moderatorLed`).
 */
export type ResponseKind = 'assignment' | 'synthesis';

/** One participant's answer in one round. */
export interface ParticipantResponse {
  participantName: string;
  participantRole: ParticipantRole;
  content: string;
  tokenUsage: TokenUsage;
  status: ResponseStatus;
  error?: { type: string; message: string };
  /**
   * True when the answer is not all the model wrote: it stopped at its output-token limit, or the
   * activity cut it at LIMITS.maxAnswerBytes (a notice at its end says so).
   */
  truncated: boolean;
  /**
   * True when `content` is shortened in this round result only (the result would pass
   * LIMITS.maxRoundResultBytes); the answer as recorded is in the transcript and the workflow history.
   */
  shortened?: boolean;
  round: number;
  /** Names of the participants whose answers this participant was shown before answering. */
  shown: string[];
  /** What the call cost in USD as the budget counted it (failed attempts conservatively); with a priced budget only. */
  costUsd?: number;
  /**
   * `provider/model` the call went to instead of the participant's own model, because the budget
   * (`onExhausted: downgrade`) had no room for the latter; absent otherwise.
   */
  downgradedTo?: string;
  /** Identity of the worker that made the call (see LlmResponse); absent when unknown or recorded before. */
  servedBy?: string;
  /** Absent for a plain answer to the round's message. */
  kind?: ResponseKind;
}

export interface RoundResult {
  round: number;
  strategy: OrchestrationStrategy;
  responses: ParticipantResponse[];
  /**
   * Tokens of the round's calls that answer for no participant (a `selector` round's picks), which
   * the session's usage counts too; absent when the round made none.
   */
  otherCallsUsage?: TokenUsage;
  /** The session's budget after the round, when it has one. */
  budget?: BudgetView;
  /**
   * Set when a quorum or deadline closed the round before every call ended: why, and who is late
   * (their answers reach the transcript marked `late`; the next round waits for them).
   */
  closedEarly?: { reason: 'quorum' | 'deadline'; late: string[] };
  /**
   * {@link roundRequestHash} of the message the round answered, as the workflow read it: the server
   * answers a second update under a used `updateId` with the first one's result, whatever its
   * message, and this tells the client so. Absent from rounds of workers before 2026-12-07.
   */
  requestHash?: number;
}

export interface TranscriptEntry {
  round: number;
  from: string;
  role: ParticipantRole | 'user' | 'system';
  content: string;
  status: ResponseStatus;
  tokenUsage?: TokenUsage;
  /**
   * As the response's `error`: why the call failed or was skipped (its message cut to
   * SESSION_PROGRESS_LIMITS.maxTextChars), so a reader after a crash can tell; absent before 2026-12-05.
   */
  error?: { type: string; message: string };
  /** As the response's `truncated`, when true. */
  truncated?: true;
  /** As the response's `costUsd`. */
  costUsd?: number;
  /** As the response's `downgradedTo`: the cheaper model the budget sent this call to. */
  downgradedTo?: string;
  /** As the response's `servedBy`: the worker that made the call. */
  servedBy?: string;
  /** A message sent to some participants only (`send --to`): their names. Absent before 2026-12-06. */
  to?: string[];
  /** As the response's `kind`: absent for a plain answer (and for messages and notes). */
  kind?: ResponseKind;
  /** The answer came after its round closed (quorum or deadline): not among the round's responses. */
  late?: true;
}
