import type { BudgetView } from './budget';
import type { ConvergenceResult } from './convergence';
import type { CouncilContextInput, CouncilMode, ExpertMessageType } from './council';
import type { ShownTurnRef } from './debate';
import type { TokenUsage } from './llm';
import type { PeerReviewResult } from './peerReview';
import type { MessageWebhookResult } from './messageWebhook';
import type { ScheduledPeriodBudget } from './periodBudget';

// What the council workflow stores and returns: plain JSON (timestamps as ISO strings), so it crosses
// the history and the client unchanged. The schemas of what goes in are in common/council.ts.

/** The seed's `ExpertMessage` as the workflow stores it: plain JSON, the timestamp an ISO string. */
export interface ExpertMessageData {
  id: string;
  /** An expert id, or `HUMAN_SENDER_ID` (common/council.ts) for a person. */
  sender: string;
  senderName: string;
  /** One expert id. With `recipients` unset too, the message is a broadcast to every expert. */
  recipient?: string;
  /** The expert ids a role, group or list address reached (the sender aside): only they see it. */
  recipients?: string[];
  /** The address as written when it named a role or a group: `role:critic`, `group:core`. */
  audience?: string;
  /** Set only for an urgent message: its readers read it first at their next turn. */
  priority?: 'urgent';
  content: string;
  timestamp: string;
  type: ExpertMessageType;
  /** The answer came after its round closed (quorum or deadline): kept here, left out of the synthesis. */
  late?: boolean;
  /** Id of the message this one answers. */
  replyTo?: string;
  context?: Record<string, unknown>;
}

/** The seed's `ConversationContext` in its stored form. */
export interface ConversationContextData {
  /** The latest messages this expert may see, oldest first. */
  messages: ExpertMessageData[];
  /** The latest content of every expert this expert may see, by expert id. */
  previousResponses: Record<string, string>;
  /** The messages formatted as in the expert's prompt. */
  conversationHistory: string;
  round: number;
}

/**
 * What an expert was shown, by message id; the client expands it into a context. `messageIds` and
 * `round` are its latest turn's (before `turns` they were every message it could see at the end).
 */
export interface ConversationContextRef {
  messageIds: string[];
  round: number;
  /** Every turn it took, in order: what its prompt held and what it said. Absent in older results. */
  turns?: ShownTurnRef[];
  /** Whether the expert's history showed message ids (it could send structured messages). */
  showIds: boolean;
}

/**
 * How an expert's part ended: it answered every turn it took, one of its calls failed, or a person
 * skipped its latest turn (it took part again in any later one).
 */
export type ExpertOutcomeStatus = 'done' | 'failed' | 'skipped';

/** One expert's part in the result: a call's record, over all its calls where the notes say so. */
export interface ExpertOutput extends CallRecord {
  expertId: string;
  expertName: string;
  status: ExpertOutcomeStatus;
  /** The expert's latest position (answers, not critiques); empty when it failed before giving one. */
  content: string;
  /** The round of its latest turn. */
  round: number;
  /** The call ended after its round closed (quorum or deadline): the synthesis did not see it. */
  late?: boolean;
  /** Identity of the worker that made the expert's latest call (see LlmResponse); absent when unknown. */
  servedBy?: string;
  /** Its answer came from the hedge's backup (this name), the expert's own call having straggled. */
  hedgedBy?: string;
  /** Under a budget: what all its calls cost in USD as the budget counted them (each in its event). */
  costUsd?: number;
  /** Under a budget that downgrades: `provider/model` its latest downgraded call was sent to. */
  downgradedTo?: string;
}

/** What the budget charged one call, and where it sent it: both only under a budget. */
export interface CallCharge {
  costUsd?: number;
  downgradedTo?: string;
}

/** What one call left behind: its text and tokens, why it failed, which worker made it, its charge. */
export interface CallRecord extends CallCharge {
  content: string;
  tokenUsage: TokenUsage;
  error?: { type: string; message: string };
  /** Identity of the worker that made the call; absent when unknown. */
  servedBy?: string;
}

/** The synthesizer's conclusion; under a budget, what the budget charged its call. */
export interface SynthesisOutput extends CallRecord {
  synthesizerName: string;
  /** `skipped` when every expert failed: there was nothing to synthesize. */
  status: 'done' | 'failed' | 'skipped';
}

/** Tokens spent: in all, by expert id, and by the synthesizer. */
export interface CouncilTokenUsage {
  total: TokenUsage;
  byExpert: Record<string, TokenUsage>;
  synthesis: TokenUsage;
}

/** The memo key of {@link CouncilSummary}. */
export const COUNCIL_SUMMARY_MEMO_KEY = 'councilSummary';

/** A completed council's totals, in its memo: lists show them without reading its result. */
export interface CouncilSummary {
  rounds: number;
  usage: TokenUsage;
}

/** Input of the council workflow. */
export interface CouncilWorkflowInput {
  schemaVersion?: number;
  context: CouncilContextInput;
  /** A scheduled run's share of its schedule's period budget: asked for before the first call. */
  periodBudget?: ScheduledPeriodBudget;
}

/**
 * What the council workflow returns; the messaging fields only when messaging is on, the peer review
 * fields (`rankings`, `aggregateRanking`, `positionBias`) only when peer review is.
 */
export interface CouncilWorkflowResult extends Partial<PeerReviewResult> {
  task: string;
  mode: CouncilMode;
  outputs: Record<string, ExpertOutput>;
  synthesis: SynthesisOutput;
  tokenUsage: CouncilTokenUsage;
  /** Ids of the experts that failed, in the order of activeExperts. */
  failedExperts: string[];
  rounds: number;
  messages?: ExpertMessageData[];
  contextRefs?: Record<string, ConversationContextRef>;
  /**
   * Present when the result would pass LIMITS.maxCouncilResultBytes: how many of the oldest messages
   * it leaves out, and whether outputs or the synthesis are shortened in it (each with a notice).
   */
  bounded?: { messagesLeftOut: number; textsShortened: number };
  /** A debate with `convergence`: why it stopped, its agreement, rounds and (estimated) tokens saved. */
  convergence?: ConvergenceResult;
  /** Set on a re-synthesis: the id of the council whose recorded answers it reused. */
  resynthesizedFrom?: string;
  /** Set on a council that went on from an earlier conversation: the council (or file) it came from. */
  continuedFrom?: string;
  /** A council with a budget: its limit, what it spent, the calls it refused. */
  budget?: BudgetView;
  /** A council with `messageWebhook`: how many messages were delivered, and which could not be. */
  messageWebhook?: MessageWebhookResult;
}
