import { z } from 'zod';
import { LIMITS } from './defaults';
import { laterCheck } from './laterChecks';
import { modelSpecSchema } from './llm';
import { jsonStringBytes } from './size';
import { nameSchema } from './names';
import { callAsSchema, refineLocalCall } from './localCall';

/** Roles from the MultiParticipantSession design; see README "Roles under each strategy". */
export const ParticipantRole = {
  Moderator: 'moderator',
  Panelist: 'panelist',
  Observer: 'observer',
  Evaluator: 'evaluator',
  Supervisor: 'supervisor',
  Worker: 'worker',
} as const;
export type ParticipantRole = (typeof ParticipantRole)[keyof typeof ParticipantRole];
export const PARTICIPANT_ROLES = Object.values(ParticipantRole) as [ParticipantRole, ...ParticipantRole[]];

/** Orchestration strategies; each is implemented in its own file under workflows/strategies. */
export const OrchestrationStrategy = {
  Broadcast: 'broadcast',
  RoundRobin: 'roundRobin',
  ModeratorLed: 'moderatorLed',
  Hierarchical: 'hierarchical',
  Custom: 'custom',
  Selector: 'selector',
} as const;
export type OrchestrationStrategy = (typeof OrchestrationStrategy)[keyof typeof OrchestrationStrategy];
export const ORCHESTRATION_STRATEGIES = Object.values(OrchestrationStrategy) as [
  OrchestrationStrategy,
  ...OrchestrationStrategy[],
];

/** Longest wait a Node.js timer keeps: a longer one fires at once (the call would time out at its start). */
const LONGEST_TIMER_MS = 2_147_483_647;
/** Longest wait before a retry: a call's next attempt a day later is as far as a run should wait unseen. */
const LONGEST_RETRY_INTERVAL_MS = 86_400_000;

/** A whole number from `min` whose maximum came after runs began (common/laterChecks.ts). */
const laterBoundedInt = (min: number, max: number, problem: string) =>
  z
    .number()
    .int()
    .min(min)
    .refine((value) => laterCheck(value <= max), problem);

const retryIntervalMs = (field: string) =>
  laterBoundedInt(
    1,
    LONGEST_RETRY_INTERVAL_MS,
    `${field} may be at most ${LONGEST_RETRY_INTERVAL_MS} ms (a day): a call waiting longer looks hung`,
  );

/** A stream's timer: as long as a Node.js timer keeps. */
const streamTimerMs = (field: string) =>
  laterBoundedInt(
    100,
    LONGEST_TIMER_MS,
    `${field} may be at most ${LONGEST_TIMER_MS} ms (about 24.8 days, the longest timer Node.js keeps): ` +
      'leave it out for the default',
  );

/** Per-participant retry policy for its LLM calls. Defaults live in common/defaults.ts. */
export const retryOptionsSchema = z
  .object({
    maximumAttempts: z.number().int().min(1).max(100).optional(),
    initialIntervalMs: retryIntervalMs('initialIntervalMs').optional(),
    backoffCoefficient: z.number().min(1).max(10).optional(),
    maximumIntervalMs: retryIntervalMs('maximumIntervalMs').optional(),
  })
  .strict();
export type RetryOptions = z.infer<typeof retryOptionsSchema>;

/** Per-participant timeouts for one LLM call attempt. */
export const timeoutOptionsSchema = z
  .object({
    /** Longest one attempt may take. */
    attemptMs: z.number().int().min(100).optional(),
    /** Longest silence (no token, no heartbeat) before the attempt is considered hung. */
    heartbeatMs: z.number().int().min(100).optional(),
    /**
     * Longest wait for the provider's response to begin (status and headers of a streamed call);
     * past it the request is aborted and the attempt fails with ProviderFirstByteTimeout (retried).
     */
    firstByteMs: streamTimerMs('firstByteMs').optional(),
    /**
     * Longest silence of a stream once its answer's text has begun (between two chunks); past it the
     * request is aborted and the attempt fails with ProviderStreamIdle (retried).
     */
    streamIdleMs: streamTimerMs('streamIdleMs').optional(),
  })
  .strict();
export type TimeoutOptions = z.infer<typeof timeoutOptionsSchema>;

/** Letters (any script, with their combining marks), digits, spaces, dots, dashes and underscores. */
const NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{M}\p{N} ._-]{0,63}$/u;

/**
 * A prompt that goes into every call of its participant (a system prompt, an expert's description):
 * at most LIMITS.maxSystemPromptBytes, so a full session's prompts stay well under the payload limit.
 */
export function promptSchema(field: string) {
  return z
    .string()
    .refine(
      (text) => jsonStringBytes(text) <= LIMITS.maxSystemPromptBytes,
      `${field} is longer than ${LIMITS.maxSystemPromptBytes} bytes: shorten it`,
    );
}

/** How a model is called: shared by session participants and council experts and synthesizers. */
export const modelCallSettings = {
  model: modelSpecSchema,
  systemPrompt: promptSchema('systemPrompt').optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxOutputTokens: laterBoundedInt(
    1,
    LIMITS.maxContextTokens,
    `maxOutputTokens may be at most ${LIMITS.maxContextTokens} (the largest context windows): pick your model's output limit`,
  ).optional(),
  retry: retryOptionsSchema.optional(),
  timeouts: timeoutOptionsSchema.optional(),
  /** `local` makes the calls local activities (common/localCall.ts); a regular activity by default. */
  callAs: callAsSchema,
};

/** A participant: a serialisable spec, never a client object or an API key. */
export const participantSpecSchema = z
  .object({
    name: nameSchema().regex(
      NAME_PATTERN,
      'name must be 1-64 letters (of any script), digits, spaces, dots, dashes or underscores, starting with a letter or digit',
    ),
    role: z.enum(PARTICIPANT_ROLES),
    priority: z.number().int('priority must be a whole number, e.g. 5').default(0),
    /** What this participant is good at, in a sentence: the selector strategy picks speakers by it. */
    description: promptSchema('description').optional(),
    ...modelCallSettings,
  })
  .strict()
  .superRefine(refineLocalCall);
export type ParticipantSpec = z.infer<typeof participantSpecSchema>;
export type ParticipantSpecInput = z.input<typeof participantSpecSchema>;
