import { z } from 'zod';
import { COUNCIL_LIMITS, COUNCIL_MODES, MESSAGE_TYPES, type CouncilWorkflowInput } from './council';
import { messageFilterSchema } from './conversation';
import { jsonBytes } from './size';

// The seed's "Persistence: save/load conversation history": the file `council show --save` writes,
// and the part of it a new council starts from (its `continueFrom` input).

/**
 * Schema version of a council input with `continueFrom`. A worker that predates it reads versions 1
 * and 2 only and refuses this input with a clear error, instead of ignoring the earlier conversation.
 */
export const CONTINUATION_SCHEMA_VERSION = 3;

/** Version of the saved conversation file; a file of another version is refused with its number. */
export const SAVED_CONVERSATION_VERSION = 1;

/** Most messages a council starts from: a saved transcript is bounded in bytes well before this. */
export const MAX_PRIOR_MESSAGES = 2_000;

const storedMessageFields = {
  id: z.string().min(1).max(200),
  sender: z.string().min(1).max(64),
  senderName: z.string().max(200),
  recipient: z.string().min(1).max(64).optional(),
  content: z.string().max(COUNCIL_LIMITS.maxStoredMessageChars + 100),
  timestamp: z.string().max(64),
  type: z.enum(MESSAGE_TYPES),
  replyTo: z.string().min(1).max(200).optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  late: z.boolean().optional(),
};

/** The earlier conversation a council starts from: shown to its experts as messages before round 1. */
export const priorConversationSchema = z
  .object({
    /** Where the conversation came from: a council id, or the file it was read from. */
    sourceId: z.string().min(1).max(1000),
    messages: z.array(z.object(storedMessageFields).strict()).min(1).max(MAX_PRIOR_MESSAGES),
  })
  .strict()
  .refine(
    (prior) => jsonBytes(prior.messages) <= COUNCIL_LIMITS.transcriptByteBudget,
    `the earlier conversation is over ${COUNCIL_LIMITS.transcriptByteBudget} bytes: save fewer messages (--type, --round)`,
  );
export type PriorConversation = z.infer<typeof priorConversationSchema>;

/** Input of a council that goes on from an earlier conversation. */
export interface ContinuationWorkflowInput extends CouncilWorkflowInput {
  continueFrom: PriorConversation;
}

/** A saved message: the stored message, its round (0: carried over from an earlier save) and phase. */
const savedMessageSchema = z
  .object({
    ...storedMessageFields,
    round: z.number().int().min(0),
    phase: z.enum(['answer', 'critique', 'review']).optional(),
  })
  .strict();

/** The file `council show ID --save FILE` writes and `council run --from FILE` reads. */
export const savedConversationSchema = z
  .object({
    schemaVersion: z.literal(SAVED_CONVERSATION_VERSION, {
      error: (issue) =>
        `version ${JSON.stringify(issue.input)} is not one this council reads (${SAVED_CONVERSATION_VERSION})`,
    }),
    kind: z.literal('council-conversation'),
    /** The council the messages were read from. */
    councilId: z.string().min(1).max(1000),
    task: z.string(),
    mode: z.enum(COUNCIL_MODES),
    savedAt: z.string(),
    /** The filter the messages were saved under, if any. */
    filter: messageFilterSchema.optional(),
    messages: z.array(savedMessageSchema).max(MAX_PRIOR_MESSAGES),
  })
  .strict();
export type SavedConversation = z.infer<typeof savedConversationSchema>;

/** The part of a saved conversation a council starts from: its messages without rounds and phases. */
export function priorConversationOf(
  saved: Pick<SavedConversation, 'messages'>,
  sourceId: string,
): PriorConversation {
  return {
    sourceId,
    messages: saved.messages.map(({ round: _round, phase: _phase, ...message }) => message),
  };
}
