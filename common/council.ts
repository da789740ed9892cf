import { z } from 'zod';
import { budgetSchema, type BudgetView } from './budget';
import { checkConvergence, convergenceConfigSchema, type ConvergenceResult } from './convergence';
import { checkCouncilBudget } from './councilBudget';
import { checkGroups, groupsSchema, roleSchema } from './councilRouting';
import { checkDebateStyle, DEBATE_STYLES, type ShownTurnRef } from './debate';
import { LIMITS } from './defaults';
import { checkHedge, hedgeConfigSchema } from './hedge';
import type { TokenUsage } from './llm';
import { jsonStringBytes } from './size';
import { nameSchema } from './names';
import { modelCallSettings, promptSchema } from './participants';
import { checkPeerReview, peerReviewConfigSchema, type PeerReviewResult } from './peerReview';
import { checkQuorum, quorumFields } from './quorum';

/** Bumped whenever the shape of {@link CouncilWorkflowInput} or its result changes. */
export const COUNCIL_SCHEMA_VERSION = 1;

/** How the experts of a council take their turns; each mode lives in workflows/council/modes. */
export const COUNCIL_MODES = ['parallel', 'sequential', 'adversarial'] as const;
export type CouncilMode = (typeof COUNCIL_MODES)[number];

/** The seed's message types. */
export const MESSAGE_TYPES = ['response', 'question', 'critique', 'clarification', 'agreement'] as const;
export type ExpertMessageType = (typeof MESSAGE_TYPES)[number];

/** The sender id of every message a person injects; no expert may use it. */
export const HUMAN_SENDER_ID = 'human';

/** Bounds that keep a council's prompts and transcript within Temporal's payload limits. */
export const COUNCIL_LIMITS = {
  defaultDebateRounds: 2,
  /** How many of the latest visible messages an expert's prompt and context hold (the seed's "history depth"). */
  defaultHistoryMessages: 40,
  maxHistoryMessages: 500,
  /** A stored message is cut to this many characters; the model's own answer is not affected. */
  maxStoredMessageChars: 16_000,
  /** The transcript drops its oldest messages past this many JSON bytes (payloads fail at 2 MiB). */
  transcriptByteBudget: LIMITS.maxCouncilTranscriptBytes,
  maxHumanMessages: 200,
  maxHumanWaitMs: 24 * 60 * 60_000,
} as const;

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** One expert of a council. Plain JSON: the seed's `messageHandler` lives client-side. */
export const expertSchema = z
  .object({
    id: z
      .string()
      .regex(ID_PATTERN, 'id must be 1-64 letters, digits, dots, dashes or underscores, e.g. "analyst"')
      .refine((id) => id !== HUMAN_SENDER_ID, `id "${HUMAN_SENDER_ID}" is reserved for people: pick another`),
    name: nameSchema(),
    /** Used as the system prompt when `systemPrompt` is absent. */
    description: promptSchema('description').optional(),
    /** The expert may answer with a structured message (type, recipient, replyTo) when messaging is on. */
    canSendMessages: z.boolean().optional(),
    /** What a message addressed to `role:<role>` reaches (see common/councilRouting.ts). */
    role: roleSchema.optional(),
    ...modelCallSettings,
    /** Parallel mode: this expert's own hedge, in place of the council's `hedge`; see common/hedge. */
    hedge: hedgeConfigSchema.optional(),
  })
  .strict();
export type Expert = z.infer<typeof expertSchema>;
export type ExpertInput = z.input<typeof expertSchema>;

/** The participant that writes the council's conclusion. */
export const synthesisConfigSchema = z
  .object({
    name: nameSchema().default('Synthesizer'),
    ...modelCallSettings,
  })
  .strict();
export type SynthesisConfig = z.infer<typeof synthesisConfigSchema>;

/** The seed's `ExecutionContext`, without the API key: keys live in the worker. */
export const councilContextSchema = z
  .object({
    task: z
      .string()
      .trim()
      .min(1, 'task is empty: say what the council should work on')
      .max(LIMITS.maxMessageChars)
      .refine(
        (text) => jsonStringBytes(text) <= LIMITS.maxMessageBytes,
        `task is longer than ${LIMITS.maxMessageBytes} bytes: shorten it`,
      ),
    mode: z.enum(COUNCIL_MODES),
    activeExperts: z
      .array(expertSchema)
      .min(1, 'a council needs at least one expert in activeExperts')
      .max(LIMITS.maxParticipants),
    synthesisConfig: synthesisConfigSchema,
    enableMessaging: z.boolean().default(false),
    /** Named groups of expert ids: a message to a group is read by its members (and sender) only. */
    groups: groupsSchema.optional(),
    /** Adversarial mode: how many rounds of positions followed by critiques. */
    debateRounds: z
      .number()
      .int('debateRounds must be a whole number, e.g. 2')
      .min(1)
      .max(LIMITS.maxDebateRounds)
      .default(COUNCIL_LIMITS.defaultDebateRounds),
    /** Adversarial mode: `phased` (absent: positions then critiques) or the seed's `turns`; see common/debate. */
    debateStyle: z
      .enum(DEBATE_STYLES)
      .optional()
      .describe('Adversarial mode: "phased" (default) or "turns", one expert per round as in the seed'),
    maxHistoryMessages: z
      .number()
      .int()
      .min(1)
      .max(COUNCIL_LIMITS.maxHistoryMessages)
      .default(COUNCIL_LIMITS.defaultHistoryMessages),
    /** Between rounds, wait up to `timeoutMs` for a person's message before going on. */
    awaitHumanBetweenRounds: z
      .object({ timeoutMs: z.number().int().min(100).max(COUNCIL_LIMITS.maxHumanWaitMs) })
      .strict()
      .optional(),
    /** Adversarial mode: stop the debate early at consensus or oscillation; see common/convergence. */
    convergence: convergenceConfigSchema.optional(),
    /** After the rounds, experts rank each other's answers anonymously; the synthesizer sees the result. */
    peerReview: peerReviewConfigSchema.optional(),
    /** Parallel mode: the answer round closes at a quorum of answers or a deadline; see common/quorum. */
    ...quorumFields,
    /** Parallel mode: a backup model answers for an expert still running after `afterMs`; see common/hedge. */
    hedge: hedgeConfigSchema.optional(),
    /** Tokens and/or dollars every call of the council reserves from first; see common/councilBudget. */
    budget: budgetSchema.optional(),
  })
  .strict()
  .superRefine((context, ctx) => {
    const seen = new Set<string>();
    context.activeExperts.forEach((expert, index) => {
      if (seen.has(expert.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['activeExperts', index, 'id'],
          message: `expert id "${expert.id}" is used twice: ids must be unique`,
        });
      }
      seen.add(expert.id);
    });
    if (context.mode === 'adversarial' && context.activeExperts.length < 2) {
      ctx.addIssue({
        code: 'custom',
        path: ['activeExperts'],
        message: 'adversarial mode needs at least two experts to debate: add one or use "sequential"',
      });
    }
    checkConvergence(context, ctx);
    checkDebateStyle(context, ctx);
    checkPeerReview(context, ctx);
    checkQuorum(context, ctx);
    checkHedge(context, ctx);
    checkGroups(context, ctx);
    checkCouncilBudget(context, ctx);
  });
export type CouncilContext = z.infer<typeof councilContextSchema>;
export type CouncilContextInput = z.input<typeof councilContextSchema>;

/** The seed's `ExpertMessage` as the workflow stores it: plain JSON, the timestamp an ISO string. */
export interface ExpertMessageData {
  id: string;
  /** An expert id, or {@link HUMAN_SENDER_ID}. */
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

/** How an expert's part ended: it answered every turn it took, or one of its calls failed. */
export type ExpertOutcomeStatus = 'done' | 'failed';

/** One expert's part in the result. */
export interface ExpertOutput {
  expertId: string;
  expertName: string;
  status: ExpertOutcomeStatus;
  /** The expert's latest position (answers, not critiques); empty when it failed before giving one. */
  content: string;
  /** The round of its latest turn. */
  round: number;
  tokenUsage: TokenUsage;
  error?: { type: string; message: string };
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

/** The synthesizer's conclusion. */
export interface SynthesisOutput {
  synthesizerName: string;
  /** `skipped` when every expert failed: there was nothing to synthesize. */
  status: 'done' | 'failed' | 'skipped';
  content: string;
  tokenUsage: TokenUsage;
  error?: { type: string; message: string };
  /** Identity of the worker that made the synthesis call; absent when unknown. */
  servedBy?: string;
  /** Under a budget: what the call cost in USD as the budget counted it. */
  costUsd?: number;
  /** Under a budget that downgrades: `provider/model` the call was sent to instead. */
  downgradedTo?: string;
}

/** Tokens spent: in all, by expert id, and by the synthesizer. */
export interface CouncilTokenUsage {
  total: TokenUsage;
  byExpert: Record<string, TokenUsage>;
  synthesis: TokenUsage;
}

/** Input of the council workflow. */
export interface CouncilWorkflowInput {
  schemaVersion?: number;
  context: CouncilContextInput;
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
}
