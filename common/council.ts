import { z } from 'zod';
import { budgetSchema } from './budget';
import { convergenceConfigSchema } from './convergence';
import { checkCouncilBudget } from './councilBudget';
import { checkGroups, DEFAULT_SYNTHESIZER_NAME, groupsSchema, roleSchema } from './councilRouting';
import { checkDebateSettings, DEBATE_STYLES } from './debate';
import { LIMITS } from './defaults';
import { checkHedge, expertHedgeSchema, hedgeConfigSchema } from './hedge';
import { checkMessageWebhook, messageWebhookSchema } from './messageWebhook';
import { jsonStringBytes } from './size';
import { nameSchema } from './names';
import { modelCallSettings, promptSchema } from './participants';
import { localCallTimerProblems, refineLocalCall } from './localCall';
import { checkPeerReview, peerReviewConfigSchema } from './peerReview';
import { checkQuorum, quorumFields } from './quorum';
import { addProblem, checkModeOnly, SHOWS_NOTHING, showsSomething, tidyMessage } from './validation';
import { laterCheck } from './laterChecks';

// The result's types live in councilResult.ts; re-exported so `common/council` stays the one import.
export type {
  CallCharge,
  CallRecord,
  ConversationContextData,
  ConversationContextRef,
  CouncilTokenUsage,
  CouncilWorkflowInput,
  CouncilWorkflowResult,
  ExpertMessageData,
  ExpertOutcomeStatus,
  ExpertOutput,
  SynthesisOutput,
} from './councilResult';

/** Bumped whenever the shape of {@link CouncilWorkflowInput} or its result changes. */
export const COUNCIL_SCHEMA_VERSION = 1;

/** How the experts of a council take their turns; each mode lives in workflows/council/modes. */
export const COUNCIL_MODES = ['parallel', 'sequential', 'adversarial'] as const;
export type CouncilMode = (typeof COUNCIL_MODES)[number];

/** The seed's message types. */
export const MESSAGE_TYPES = ['response', 'question', 'critique', 'clarification', 'agreement'] as const;
export type ExpertMessageType = (typeof MESSAGE_TYPES)[number];

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
  /**
   * People's messages together, as JSON bytes of their updates as sent: each is in the run's history
   * twice (the update and its result), and a council never continues-as-new.
   */
  maxHumanMessageBytes: 2 * 1024 * 1024,
  maxHumanWaitMs: 24 * 60 * 60_000,
} as const;

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The sender id of every message a person injects; no expert may use it. */
export const HUMAN_SENDER_ID = 'human';

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
    /**
     * Parallel mode: this expert's own hedge, in place of the council's `hedge`, or `false` for no
     * hedge at all (no backup is ever called for it); see common/hedge.
     */
    hedge: expertHedgeSchema.optional(),
  })
  .strict()
  .superRefine(refineLocalCall);
export type Expert = z.infer<typeof expertSchema>;
export type ExpertInput = z.input<typeof expertSchema>;

/** The participant that writes the council's conclusion. */
export const synthesisConfigSchema = z
  .object({
    name: nameSchema().default(DEFAULT_SYNTHESIZER_NAME),
    ...modelCallSettings,
  })
  .strict()
  .superRefine(refineLocalCall);
export type SynthesisConfig = z.infer<typeof synthesisConfigSchema>;

/** The seed's `ExecutionContext`, without the API key: keys live in the worker. */
export const councilContextSchema = z
  .object({
    task: z
      .string()
      .overwrite(tidyMessage)
      .min(1, 'task is empty: say what the council should work on')
      .refine(
        (text) => laterCheck(showsSomething(text)),
        `task ${SHOWS_NOTHING}: say what the council should work on`,
      )
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
    /** Adversarial mode: how many rounds of positions followed by critiques; see {@link debateRoundsOf}. */
    debateRounds: z
      .number()
      .int('debateRounds must be a whole number, e.g. 2')
      .min(1)
      .max(LIMITS.maxDebateRounds)
      .optional()
      .describe(
        `Adversarial mode: rounds of positions then critiques (${COUNCIL_LIMITS.defaultDebateRounds} when absent)`,
      ),
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
    /** Messaging on: the worker POSTs every stored message here, followed or not; see common/messageWebhook. */
    messageWebhook: messageWebhookSchema.optional(),
  })
  .strict()
  .superRefine((context, ctx) => {
    const seen = new Set<string>();
    context.activeExperts.forEach((expert, index) => {
      if (seen.has(expert.id)) {
        addProblem(
          ctx,
          ['activeExperts', index, 'id'],
          `expert id "${expert.id}" is used twice: ids must be unique`,
        );
      }
      seen.add(expert.id);
    });
    if (context.mode === 'adversarial' && context.activeExperts.length < 2) {
      addProblem(
        ctx,
        ['activeExperts'],
        'adversarial mode needs at least two experts to debate: add one or use "sequential"',
      );
    }
    // Convergence watches a debate's rounds of positions: other modes have none.
    if (context.convergence) checkModeOnly(ctx, ['convergence'], ['adversarial'], context.mode);
    checkDebateSettings(context, ctx);
    checkPeerReview(context, ctx);
    checkQuorum(context, ctx);
    checkHedge(context, ctx);
    checkGroups(context, ctx);
    checkCouncilBudget(context, ctx);
    checkMessageWebhook(context, ctx);
    const experts = context.activeExperts.map((expert) => ({
      ...expert,
      hedged: typeof expert.hedge === 'object' || (context.hedge !== undefined && expert.hedge !== false),
    }));
    for (const { index, message } of localCallTimerProblems(experts, context)) {
      addProblem(ctx, ['activeExperts', index, 'callAs'], message);
    }
  });
export type CouncilContext = z.infer<typeof councilContextSchema>;
export type CouncilContextInput = z.input<typeof councilContextSchema>;

/** A debate's rounds: its `debateRounds`, or the default when the config leaves it out. */
export function debateRoundsOf(context: Pick<CouncilContext, 'debateRounds'>): number {
  return context.debateRounds ?? COUNCIL_LIMITS.defaultDebateRounds;
}
