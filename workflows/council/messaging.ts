import { z } from 'zod';
import {
  HUMAN_SENDER_ID,
  MESSAGE_TYPES,
  type ConversationContextData,
  type Expert,
  type ExpertMessageData,
  type ExpertMessageType,
} from '../../common/council';
import { MESSAGE_PRIORITIES, type MessagePriority } from '../../common/councilRouting';
import { QUOTED_TEXT_NOTICE, quotedBlock, quotedName } from '../shared/untrusted';

// Pure message routing and history formatting: no Temporal API here, so the client and unit tests
// use the very functions the workflow uses.

/** Where a new message's id and time come from: the workflow's uuid4 and clock, or a test's counter. */
export interface MessageStamp {
  id: string;
  timestamp: string;
}

/** The seed's `createExpertMessage` parameters, the stamp aside: the client's function takes these. */
export type ExpertMessageFields = [
  expertId: string,
  expertName: string,
  content: string,
  type?: ExpertMessageType,
  recipient?: string,
  replyTo?: string,
];

/** The seed's `createExpertMessage`, with the id and time passed in so workflow code stays deterministic. */
export function createExpertMessage(
  stamp: MessageStamp,
  ...fields: [...ExpertMessageFields, context?: Record<string, unknown>]
): ExpertMessageData {
  const [expertId, expertName, content, type = 'response', recipient, replyTo, context] = fields;
  return {
    id: stamp.id,
    sender: expertId,
    senderName: expertName,
    content,
    timestamp: stamp.timestamp,
    type,
    ...(recipient !== undefined && { recipient }),
    ...(replyTo !== undefined && { replyTo }),
    ...(context !== undefined && { context }),
  };
}

/**
 * A broadcast is seen by everyone; a direct message only by its recipient and its sender; a role,
 * group or list message only by the experts it reached and its sender.
 */
export function canSee(message: ExpertMessageData, expertId: string): boolean {
  if (message.sender === expertId) return true;
  if (message.recipients !== undefined) return message.recipients.includes(expertId);
  return message.recipient === undefined || message.recipient === expertId;
}

/** The experts a message is delivered to: all but the sender for a broadcast, else the recipient. */
export function recipientsOf(message: ExpertMessageData, expertIds: readonly string[]): string[] {
  return expertIds.filter((id) => id !== message.sender && canSee(message, id));
}

/**
 * The latest `limit` messages an expert may see, oldest first; the ones in `firstIds` (urgent ones
 * it has not read yet) come before all others, even from beyond the window.
 */
export function visibleTo(
  messages: readonly ExpertMessageData[],
  expertId: string,
  limit: number,
  firstIds?: ReadonlySet<string>,
): ExpertMessageData[] {
  const visible = messages.filter((message) => canSee(message, expertId));
  if (!firstIds?.size) return visible.slice(-limit);
  const first = visible.filter((message) => firstIds.has(message.id)).slice(-limit);
  const rest = visible.filter((message) => !firstIds.has(message.id));
  return [...first, ...rest.slice(Math.max(0, rest.length - (limit - first.length)))];
}

/** How a history is rendered: names for ids, and whether ids are shown so the reader can reply. */
export interface HistoryFormat {
  nameOf(expertId: string): string | undefined;
  showIds: boolean;
  /** Urgent messages the reader has not read yet: placed first and marked "unread". */
  firstIds?: ReadonlySet<string>;
}

/**
 * The seed's markdown history, "## Previous Expert Responses" then one "### "Name"" block per message,
 * with its content fenced (see workflows/shared/untrusted.ts): a message can neither open a section
 * nor speak for another expert. Notes (human, id, type, recipient, reply) sit in the heading.
 */
export function formatHistory(messages: readonly ExpertMessageData[], format: HistoryFormat): string {
  if (messages.length === 0) return '';
  const byId = new Map(messages.map((message) => [message.id, message]));
  const blocks = messages.map((message) => {
    const notes: string[] = [];
    if (message.priority === 'urgent') notes.push('urgent');
    if (format.firstIds?.has(message.id)) notes.push('unread');
    if (message.sender === HUMAN_SENDER_ID) notes.push('human');
    if (format.showIds) notes.push(`id ${message.id}`);
    if (message.type !== 'response') notes.push(message.type);
    notes.push(...audienceNotes(message, format.nameOf));
    if (message.replyTo !== undefined) {
      const original = byId.get(message.replyTo);
      notes.push(
        original ? `replying to ${quotedName(original.senderName)}` : 'replying to an earlier message',
      );
    }
    return quotedBlock('###', message.senderName, notes, message.content);
  });
  return `## Previous Expert Responses\n${QUOTED_TEXT_NOTICE}\n\n${blocks.join('\n\n')}`;
}

/** Who a message was for, as a heading note: nothing for a broadcast. */
export function audienceNotes(
  message: ExpertMessageData,
  nameOf: (expertId: string) => string | undefined,
): string[] {
  if (message.context?.keptPrivate === true) return ['kept private: its address could not be read'];
  const [kind, label] = message.audience?.split(':') ?? [];
  if (kind && label) return [`to ${kind} ${quotedName(label)} only`];
  if (message.recipients !== undefined) {
    return [`to ${message.recipients.map((id) => quotedName(nameOf(id) ?? id)).join(', ')} only`];
  }
  if (message.recipient === undefined) return [];
  return [`to ${quotedName(nameOf(message.recipient) ?? message.recipient)} only`];
}

/** The latest content of every expert among these messages, by expert id (people's messages aside). */
export function previousResponsesOf(messages: readonly ExpertMessageData[]): Record<string, string> {
  const responses: Record<string, string> = {};
  for (const message of messages) {
    if (message.sender !== HUMAN_SENDER_ID) responses[message.sender] = message.content;
  }
  return responses;
}

/** The seed's `ConversationContext` of one expert: only what it may see, at most `limit` messages. */
export function conversationContextFor(
  messages: readonly ExpertMessageData[],
  expertId: string,
  round: number,
  limit: number,
  format: HistoryFormat,
): ConversationContextData {
  const visible = visibleTo(messages, expertId, limit, format.firstIds);
  return {
    messages: visible,
    previousResponses: previousResponsesOf(visible),
    conversationHistory: formatHistory(visible, format),
    round,
  };
}

/** The structured answer an expert with `canSendMessages` is asked for. */
export const expertReplySchema = z.object({
  type: z.enum(MESSAGE_TYPES).optional(),
  content: z.string().trim().min(1),
  recipient: z.string().nullish(),
  replyTo: z.string().nullish(),
  // An unknown priority is ignored, never a reason to read the whole reply as malformed.
  priority: z.enum(MESSAGE_PRIORITIES).optional().catch(undefined),
});

/** An expert's answer read as a message: structured when it is valid JSON, else plain text. */
export interface ExpertReply {
  type: ExpertMessageType;
  content: string;
  recipient?: string;
  /** A recipient given as a list: addressed only if it names exactly one other expert. */
  recipients?: string[];
  replyTo?: string;
  /** Read from the reply; acted on only under message routing (see ./routing.ts). */
  priority?: MessagePriority;
  structured: boolean;
  /** What was wrong with a JSON reply; set, the message is repaired or kept private to its sender. */
  parseError?: string;
  /** The reply's address could not be read: only its sender may see it. */
  keepPrivate?: boolean;
}

/** Reads an answer; plain text becomes content of the mode's default type, a malformed JSON object is repaired or kept private. */
export function parseExpertReply(raw: string, defaultType: ExpertMessageType): ExpertReply {
  const fallback: ExpertReply = { type: defaultType, content: raw.trim(), structured: false };
  // Models often fence JSON in Markdown even when told not to.
  const unfenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/.exec(raw.trim())?.[1] ?? raw;
  let json: unknown;
  try {
    json = JSON.parse(unfenced);
  } catch {
    return fallback;
  }
  const parsed = expertReplySchema.safeParse(json);
  if (parsed.success) {
    return {
      type: parsed.data.type ?? defaultType,
      content: parsed.data.content,
      ...(parsed.data.recipient ? { recipient: parsed.data.recipient } : {}),
      ...(parsed.data.replyTo ? { replyTo: parsed.data.replyTo } : {}),
      ...(parsed.data.priority ? { priority: parsed.data.priority } : {}),
      structured: true,
    };
  }
  // A JSON object is an attempt at an addressed message: never broadcast it as it stands.
  return typeof json === 'object' && json !== null && !Array.isArray(json)
    ? repairedReply(json as Record<string, unknown>, raw, defaultType)
    : fallback;
}

/**
 * A malformed structured reply, repaired field by field: an unknown type takes the default, a bad
 * replyTo is dropped, a recipient list is kept for {@link addressReply}; anything else that leaves
 * the address unreadable (a recipient of another type, no usable content) keeps it private.
 */
function repairedReply(
  json: Record<string, unknown>,
  raw: string,
  defaultType: ExpertMessageType,
): ExpertReply {
  const problems: string[] = [];
  const type = MESSAGE_TYPES.find((known) => known === json.type);
  if (json.type != null && type === undefined) problems.push(`unknown type ${JSON.stringify(json.type)}`);
  const content = typeof json.content === 'string' ? json.content.trim() : '';
  let keepPrivate = content === '';
  if (content === '') problems.push('no text in "content"');
  const { recipient, replyTo } = json;
  const list = Array.isArray(recipient) && recipient.every((r) => typeof r === 'string');
  if (recipient != null && typeof recipient !== 'string' && !list) {
    problems.push('"recipient" is neither an expert id nor a list of ids');
    keepPrivate = true;
  }
  if (replyTo != null && typeof replyTo !== 'string') problems.push('"replyTo" is not a message id');
  return {
    type: type ?? defaultType,
    content: content || raw.trim(),
    ...(typeof recipient === 'string' && recipient !== '' ? { recipient } : {}),
    ...(list ? { recipients: recipient as string[] } : {}),
    ...(typeof replyTo === 'string' && replyTo !== '' ? { replyTo } : {}),
    ...(json.priority === 'urgent' ? { priority: 'urgent' as const } : {}),
    structured: true,
    ...(problems.length > 0 ? { parseError: problems.join('; ') } : {}),
    ...(keepPrivate ? { keepPrivate } : {}),
  };
}

/**
 * The address of a reply, checked: a recipient must be another expert, a replyTo a message the
 * sender saw. A reply whose recipient cannot be resolved to exactly one other expert is kept
 * private to its sender (its recipient is the sender) with a parse error, never broadcast: the
 * sender meant it for someone, and "everyone" is the one reading that is surely wrong.
 */
export function addressReply(
  reply: Pick<ExpertReply, 'recipient' | 'recipients' | 'replyTo' | 'parseError' | 'keepPrivate'>,
  senderId: string,
  experts: readonly Pick<Expert, 'id' | 'name'>[],
  seenMessageIds: ReadonlySet<string>,
): { recipient?: string; replyTo?: string; context?: Record<string, unknown> } {
  const context: Record<string, unknown> = {};
  const problems = reply.parseError ? [reply.parseError] : [];
  // Models name experts as often as they quote ids.
  const resolve = (wanted: string) => {
    const key = wanted.trim().toLowerCase();
    const match = experts.find((e) => e.id.toLowerCase() === key || e.name.toLowerCase() === key);
    return match && match.id !== senderId ? match.id : undefined;
  };
  let recipient: string | undefined;
  if (reply.keepPrivate) recipient = senderId;
  else if (reply.recipients !== undefined) {
    const known = [...new Set(reply.recipients.slice(0, experts.length + 1).map(resolve))].filter(
      (id): id is string => id !== undefined,
    );
    recipient = known.length === 1 ? known[0] : senderId;
    if (known.length !== 1) {
      problems.push(
        `"recipient" lists ${known.length} other experts: a message goes to one expert or to all`,
      );
    }
  } else if (reply.recipient !== undefined) {
    recipient = resolve(reply.recipient) ?? senderId;
    if (recipient === senderId) {
      context.ignoredRecipient = reply.recipient;
      problems.push(`"recipient" ${JSON.stringify(reply.recipient)} is no other expert of this council`);
    }
  }
  let replyTo: string | undefined;
  if (reply.replyTo !== undefined) {
    if (seenMessageIds.has(reply.replyTo)) replyTo = reply.replyTo;
    else context.ignoredReplyTo = reply.replyTo;
  }
  if (problems.length > 0) {
    context.parseError = problems.join('; ');
    if (recipient === senderId) context.keptPrivate = true;
  }
  return {
    ...(recipient !== undefined && { recipient }),
    ...(replyTo !== undefined && { replyTo }),
    ...(Object.keys(context).length > 0 && { context }),
  };
}
