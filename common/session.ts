import { z } from 'zod';
import { budgetSchema, type BudgetView, type LedgerState } from './budget';
import { DEFAULT_MAX_CONTEXT_TOKENS, LIMITS } from './defaults';
import type { ChatMessage, TokenUsage } from './llm';
import { quorumFields } from './quorum';
import { selectorSettingsSchema } from './selector';
import { jsonStringBytes } from './size';
import {
  ORCHESTRATION_STRATEGIES,
  PARTICIPANT_ROLES,
  participantSpecSchema,
  promptSchema,
  type OrchestrationStrategy,
  type ParticipantRole,
  type ParticipantSpec,
} from './participants';

/**
 * Version of the carried {@link SessionState}. New fields are optional so older states load unchanged;
 * bump it only for a change older code would misread (a worker then holds such a state instead).
 */
export const SESSION_SCHEMA_VERSION = 1;

/** What a client passes to start a session. Plain JSON only. */
export const sessionConfigSchema = z
  .object({
    systemPrompt: promptSchema('systemPrompt').default(''),
    /** Per-participant history budget in tokens (the seed's `max tokens`). */
    maxTokens: z
      .number()
      .int()
      .min(64)
      .max(
        LIMITS.maxContextTokens,
        `maxTokens is the history budget in tokens and may be at most ${LIMITS.maxContextTokens} ` +
          '(the largest context windows): pick the context window of your models, e.g. 128000',
      )
      .default(DEFAULT_MAX_CONTEXT_TOKENS),
    strategy: z.enum(ORCHESTRATION_STRATEGIES),
    participants: z.array(participantSpecSchema).max(LIMITS.maxParticipants).default([]),
    /** The selector model and its termination conditions; needed by the `selector` strategy. */
    selector: selectorSettingsSchema.optional(),
    /** Most tokens and/or USD the session may spend; every call reserves its worst case first. */
    budget: budgetSchema.optional(),
    /**
     * Broadcast: a round closes once `quorum` participants have answered, or `deadlineMs` after it
     * began (a durable timer); calls still running end late. See common/quorum.
     */
    ...quorumFields,
  })
  .strict();
export type SessionConfig = z.infer<typeof sessionConfigSchema>;
export type SessionConfigInput = z.input<typeof sessionConfigSchema>;

/** Input of one round: the seed's `send_message(role, content, options)`. */
export const sendMessageSchema = z
  .object({
    role: z.enum(['user', 'system']).default('user'),
    content: z
      .string()
      .trim()
      .min(1, 'the message is empty: write what the participants should answer')
      .max(LIMITS.maxMessageChars)
      .refine(
        (text) => jsonStringBytes(text) <= LIMITS.maxMessageBytes,
        `the message is longer than ${LIMITS.maxMessageBytes} bytes: shorten it or send it in parts`,
      ),
    /** Only these participants answer this round (observers still receive it). */
    participants: z.array(z.string()).min(1).optional(),
  })
  .strict();
export type SendMessageInput = z.input<typeof sendMessageSchema>;

/** Input of `setParticipantRole`: a participant's new role (and priority), its history kept. */
export const setParticipantRoleSchema = z
  .object({
    name: z.string().min(1, 'name the participant whose role changes'),
    role: z.enum(PARTICIPANT_ROLES),
    /** The new priority; the participant keeps its own when absent. */
    priority: z.number().int('priority must be a whole number, e.g. 5').optional(),
  })
  .strict();
export type SetParticipantRoleInput = z.input<typeof setParticipantRoleSchema>;

export type ResponseStatus = 'ok' | 'failed' | 'skipped';

/** One participant's answer in one round. */
/**
 * What a response is besides a plain answer: `assignment`, a supervisor's tasks for the workers
 * (`hierarchical`); `synthesis`, a moderator's synthesis of the panel's answers (`moderatorLed`).
 */
export type ResponseKind = 'assignment' | 'synthesis';

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
  /** The session's budget after the round, when it has one. */
  budget?: BudgetView;
  /**
   * Set when a quorum or deadline closed the round before every call ended: why, and who is late
   * (their answers reach the transcript marked `late`; the next round waits for them).
   */
  closedEarly?: { reason: 'quorum' | 'deadline'; late: string[] };
}

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

export interface TranscriptEntry {
  round: number;
  from: string;
  role: ParticipantRole | 'user' | 'system';
  content: string;
  status: ResponseStatus;
  tokenUsage?: TokenUsage;
  /** As the response's `downgradedTo`: the cheaper model the budget sent this call to. */
  downgradedTo?: string;
  /** As the response's `servedBy`: the worker that made the call. */
  servedBy?: string;
  /** As the response's `kind`: absent for a plain answer (and for messages and notes). */
  kind?: ResponseKind;
  /** The answer came after its round closed (quorum or deadline): not among the round's responses. */
  late?: true;
}

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
  /** Entries ever recorded, including those no longer carried (see `transcriptDropped`). */
  transcriptLength: number;
  transcriptDropped: number;
  /** Limit, spent, reserved and refused calls, when the session has a budget. */
  budget?: BudgetView;
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
