import type { BudgetView, LedgerState } from './budget';
import type { ChatMessage, ModelSpec, TokenUsage } from './llm';
import type { OrchestrationStrategy, ParticipantSpec } from './participants';
import type { SessionConfig } from './sessionInputs';
import type { TranscriptEntry } from './sessionRound';
import type { SessionProgressEvent } from './sessionProgress';

// A client's inputs and a round's results have modules of their own; importers keep this path.
export * from './sessionInputs';
export * from './sessionRound';

/**
 * Version of the carried {@link SessionState}. New fields are optional so older states load unchanged;
 * bump it only for a change older code would misread (a worker then holds such a state instead).
 */
export const SESSION_SCHEMA_VERSION = 1;

/** A participant as the session holds it. */
export interface ParticipantRecord {
  spec: ParticipantSpec;
  /** Order of joining, for deterministic tie-breaks. */
  joinedAt: number;
  history: ChatMessage[];
  usage: TokenUsage;
  /** Messages dropped from `history` to keep it within its byte bounds (tokens aside). */
  historyDropped?: number;
  /**
   * System instructions sent to the session (`sendMessage('system', …)`) while this participant took
   * part, oldest first, shown as system messages after its system prompt in every later call; the
   * newest kept within LIMITS.maxCarriedInstructionBytes. Absent in states carried before they existed.
   */
  instructions?: string[];
}

/**
 * A participant as the library shows it (`listParticipants`): its spec's fields flat (`name`, `role`,
 * `priority`, `model`, …), with its token usage and the size of its carried history.
 */
export type ParticipantInfo = ParticipantSpec & {
  usage: TokenUsage;
  historyLength: number;
  historyDropped: number;
};

/** `getParticipant`: the flat view, plus the record's `spec`, order of joining and history as carried. */
export type ParticipantDetail = ParticipantInfo &
  Pick<ParticipantRecord, 'spec' | 'joinedAt' | 'history' | 'instructions'>;

/** Everything a session carries across continue-as-new. */
export interface SessionState {
  schemaVersion: number;
  config: Omit<SessionConfig, 'participants'>;
  participants: ParticipantRecord[];
  joinCounter: number;
  round: number;
  transcript: TranscriptEntry[];
  /** Entries dropped from the front of `transcript` to keep it within LIMITS.maxTranscriptChars. */
  transcriptDropped?: number;
  /** Characters of `transcript` serialized, kept so appending stays O(1). */
  transcriptChars?: number;
  usage: TokenUsage;
  closed: boolean;
  /** Runs so far, counting this one. */
  runs: number;
  /**
   * What each strategy keeps between rounds, by strategy name (plain JSON, at most
   * LIMITS.maxStrategyStateBytes each); absent in states carried before strategies had memory.
   */
  strategyState?: Record<string, unknown>;
  /** The budget's ledger, when the config sets a budget (absent in states carried before budgets). */
  ledger?: LedgerState;
  /**
   * The progress log (common/sessionProgress.ts): its newest events and how many were dropped,
   * carried so indices stay monotonic across runs. Absent until the first event is logged.
   */
  progress?: { dropped: number; events: SessionProgressEvent[] };
}

export type ParticipantCallState = 'waiting' | 'thinking' | 'done' | 'failed' | 'skipped';

/** The session as a query returns it. */
export interface SessionView {
  strategy: OrchestrationStrategy;
  systemPrompt: string;
  maxTokens: number;
  round: number;
  closed: boolean;
  runs: number;
  usage: TokenUsage;
  participants: Array<{
    spec: ParticipantSpec;
    usage: TokenUsage;
    historyLength: number;
    /** Messages its history dropped to stay within its byte bounds. */
    historyDropped: number;
  }>;
  /** The round being answered now, if any: each participant's state. */
  activeRound?: { round: number; states: Record<string, ParticipantCallState> };
  /**
   * Rounds asked for that have not begun: waiting for the session's start check or for the rounds
   * before them. Absent when there are none (and in views of workers from before it).
   */
  roundsWaiting?: number;
  /** Entries ever recorded, including those no longer carried (see `transcriptDropped`). */
  transcriptLength: number;
  transcriptDropped: number;
  /** Limit, spent, reserved and refused calls, when the session has a budget. */
  budget?: BudgetView;
  /** The models it calls besides its participants': the selector's, and the budget's `downgradeTo`. */
  otherModels?: ModelSpec[];
}

/** The memo key of {@link SessionSummary}. */
export const SESSION_SUMMARY_MEMO_KEY = 'councilSessionSummary';

/**
 * A closed session's totals, in its memo: `council list`, `describe()` and the Web UI can
 * show them without a worker replaying the whole history to answer a query.
 */
export interface SessionSummary {
  rounds: number;
  runs: number;
  participants: string[];
  usage: TokenUsage;
}
