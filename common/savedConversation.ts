import { z } from 'zod';
import { COUNCIL_LIMITS, COUNCIL_MODES, MESSAGE_TYPES, type CouncilWorkflowInput } from './council';
import { messageFilterSchema } from './conversation';
import { LIMITS } from './defaults';
import { jsonBytes } from './size';
import { visibleName } from './names';
import { laterCheck } from './laterChecks';
import { addProblem } from './validation';

// The seed's "Persistence: save/load conversation history": the file `council show --save` writes,
// and the part of it a new council starts from (its `continueFrom` input).

/**
 * Schema version of a council input with `continueFrom`: 3 carried its messages without their
 * rounds, 4 with them. A worker that predates a version refuses it with a clear error, instead of
 * ignoring the earlier conversation (or its rounds).
 */
export const CONTINUATION_SCHEMA_VERSION = 4;

/** The versions of such an input a worker reads: inputs of version 3 (and their histories) still run. */
export const CONTINUATION_SCHEMA_VERSIONS: readonly number[] = [3, CONTINUATION_SCHEMA_VERSION];

/** Version of the saved conversation file; a file of another version is refused with its number. */
export const SAVED_CONVERSATION_VERSION = 1;

/** Most messages a council starts from: a saved transcript is bounded in bytes well before this. */
export const MAX_PRIOR_MESSAGES = 2_000;

/** A council's stored message, every field bounded: what a saved file, a carried or a reused transcript holds. */
export const storedMessageFields = {
  id: z.string().min(1).max(200),
  sender: z.string().min(1).max(64),
  senderName: z.string().max(200),
  recipient: z.string().min(1).max(64).optional(),
  // A message to a role, a group or a list: only these experts read it, here as where it was written.
  recipients: z.array(z.string().min(1).max(64)).max(LIMITS.maxParticipants).optional(),
  audience: z.string().min(1).max(200).optional(),
  priority: z.literal('urgent').optional(),
  content: z.string().max(COUNCIL_LIMITS.maxStoredMessageChars + 100),
  timestamp: z.string().max(64),
  type: z.enum(MESSAGE_TYPES),
  replyTo: z.string().min(1).max(200).optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  late: z.boolean().optional(),
};

/** Where a message stood in the council that wrote it: its round (0: carried over there too), its turn's phase. */
const placeFields = {
  round: z.number().int().min(0),
  phase: z.enum(['answer', 'critique', 'review']).optional(),
};

/** A message the new council carries over: the stored message, with its round when the input has one. */
const priorMessageSchema = z
  .object({ ...storedMessageFields, ...placeFields, round: placeFields.round.optional() })
  .strict();

/**
 * The earlier conversation a council starts from: shown to its experts as messages before its own
 * rounds, which number on from the last round carried over.
 */
/** Each message its own id: a council keeps one message per id, and dropped the others unsaid. */
function refineUniqueIds(
  conversation: { messages: ReadonlyArray<{ id: string }> },
  ctx: z.RefinementCtx,
): void {
  const first = new Map<string, number>();
  conversation.messages.forEach(({ id }, index) => {
    const earlier = first.get(id);
    if (earlier === undefined) first.set(id, index);
    else if (!laterCheck(false)) {
      addProblem(
        ctx,
        ['messages', index, 'id'],
        `"${id}" is message ${earlier}'s id too: each message needs its own`,
      );
    }
  });
}

export const priorConversationSchema = z
  .object({
    /** Where the conversation came from: a council id, or the file it was read from. */
    sourceId: z.string().min(1).max(1000),
    messages: z.array(priorMessageSchema).min(1).max(MAX_PRIOR_MESSAGES),
  })
  .strict()
  .refine(
    (prior) => jsonBytes(prior.messages) <= COUNCIL_LIMITS.transcriptByteBudget,
    `the earlier conversation is over ${COUNCIL_LIMITS.transcriptByteBudget} bytes: save fewer messages (--type, --round)`,
  )
  .superRefine(refineUniqueIds);
export type PriorConversation = z.infer<typeof priorConversationSchema>;

/** Input of a council that goes on from an earlier conversation. */
export interface ContinuationWorkflowInput extends CouncilWorkflowInput {
  continueFrom: PriorConversation;
}

/**
 * A saved message: the stored message, its round and phase; `carried` if its council carried it over.
 * The file may be edited by hand, and its names reach prompts and terminals as names do: none hides
 * a character (the names its council stored passed the name rule).
 */
const savedMessageSchema = z
  .object({
    ...storedMessageFields,
    ...placeFields,
    carried: z.literal(true).optional(),
    sender: visibleName('sender', storedMessageFields.sender),
    senderName: visibleName('senderName', storedMessageFields.senderName),
    recipient: visibleName('recipient', storedMessageFields.recipient.unwrap()).optional(),
    audience: visibleName('audience', storedMessageFields.audience.unwrap()).optional(),
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
  .strict()
  .superRefine(refineUniqueIds);
export type SavedConversation = z.infer<typeof savedConversationSchema>;

/**
 * The part of a saved conversation a council starts from: its messages with their rounds and
 * phases (the new council marks them carried itself).
 */
export function priorConversationOf(
  saved: Pick<SavedConversation, 'messages'>,
  sourceId: string,
): PriorConversation {
  return { sourceId, messages: saved.messages.map(({ carried: _carried, ...message }) => message) };
}
