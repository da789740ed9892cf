import { z } from 'zod';
import { budgetSchema } from './budget';
import { DEFAULT_MAX_CONTEXT_TOKENS, LIMITS } from './defaults';
import { quorumFields } from './quorum';
import { localCallTimerProblems } from './localCall';
import { missingSelectorProblem, selectorSettingsSchema } from './selector';
import { fnv1a } from './hash';
import { jsonStringBytes } from './size';
import {
  ORCHESTRATION_STRATEGIES,
  PARTICIPANT_ROLES,
  participantSpecSchema,
  promptSchema,
} from './participants';
import { addProblem, SHOWS_NOTHING, showsSomething, tidyMessage } from './validation';
import { laterCheck } from './laterChecks';

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
  .strict()
  .superRefine((config, ctx) => {
    for (const { index, message } of localCallTimerProblems(config.participants, config)) {
      addProblem(ctx, ['participants', index, 'callAs'], message);
    }
    // Sessions started without them before this check replay as they ran (laterChecks.ts).
    const selector = missingSelectorProblem(config.strategy, config.selector);
    if (selector !== undefined && !laterCheck(false)) addProblem(ctx, ['selector'], selector);
  });
export type SessionConfig = z.infer<typeof sessionConfigSchema>;
export type SessionConfigInput = z.input<typeof sessionConfigSchema>;

/** A transcript read from an entry's index: absolute, so entries dropped from the front still count. */
export const transcriptRequestSchema = z
  .object({ fromIndex: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0) })
  .strict();

/** Input of one round: the seed's `send_message(role, content, options)`. */
export const sendMessageSchema = z
  .object({
    role: z.enum(['user', 'system']).default('user'),
    content: z
      .string()
      .overwrite(tidyMessage)
      .min(1, 'the message is empty: write what the participants should answer')
      .refine(
        (text) => laterCheck(showsSomething(text)),
        `the message ${SHOWS_NOTHING}: write what the participants should answer`,
      )
      .max(
        LIMITS.maxMessageChars,
        `the message is longer than ${LIMITS.maxMessageChars} characters: shorten it or send it in parts`,
      )
      .refine(
        (text) => jsonStringBytes(text) <= LIMITS.maxMessageBytes,
        `the message is longer than ${LIMITS.maxMessageBytes} bytes as JSON (a letter outside ASCII counts 2 to 4, ` +
          'quotes, backslashes and control characters twice or more): shorten it or send it in parts',
      ),
    /** Only these participants answer this round (observers still receive it). */
    participants: z.array(z.string()).min(1).optional(),
  })
  .strict();
export type SendMessageInput = z.input<typeof sendMessageSchema>;

/**
 * What tells two rounds' messages apart: role, text and who answers, as the client sent them (before
 * any tidying, which a run recorded before a patch does its own way).
 */
export function roundRequestHash(message: SendMessageInput): number {
  return fnv1a(JSON.stringify([message.role ?? 'user', message.content, message.participants ?? null]));
}

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
