import { z } from 'zod';
import {
  HUMAN_SENDER_ID,
  MESSAGE_TYPES,
  type ConversationContextData,
  type Expert,
  type ExpertMessageData,
  type ExpertMessageType,
} from '../../common/council';
import { QUOTED_TEXT_NOTICE, quotedBlock, quotedName } from '../shared/untrusted';

// Pure message routing and history formatting: no Temporal API here, so the client and unit tests
// use the very functions the workflow uses.

/** Where a new message's id and time come from: the workflow's uuid4 and clock, or a test's counter. */
export interface MessageStamp {
  id: string;
  timestamp: string;
}

/** The seed's `createExpertMessage`, with the id and time passed in so workflow code stays deterministic. */
export function createExpertMessage(
  stamp: MessageStamp,
  expertId: string,
  expertName: string,
  content: string,
  type: ExpertMessageType = 'response',
  recipient?: string,
  replyTo?: string,
  context?: Record<string, unknown>,
): ExpertMessageData {
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

/** A broadcast is seen by everyone; a direct message only by its recipient and its sender. */
export function canSee(message: ExpertMessageData, expertId: string): boolean {
  return message.recipient === undefined || message.recipient === expertId || message.sender === expertId;
}

/** The experts a message is delivered to: all but the sender for a broadcast, else the recipient. */
export function recipientsOf(message: ExpertMessageData, expertIds: readonly string[]): string[] {
  return expertIds.filter((id) => id !== message.sender && canSee(message, id));
}

/** The latest `limit` messages an expert may see, oldest first. */
export function visibleTo(
  messages: readonly ExpertMessageData[],
  expertId: string,
  limit: number,
): ExpertMessageData[] {
  return messages.filter((message) => canSee(message, expertId)).slice(-limit);
}

/** How a history is rendered: names for ids, and whether ids are shown so the reader can reply. */
export interface HistoryFormat {
  nameOf(expertId: string): string | undefined;
  showIds: boolean;
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
    if (message.sender === HUMAN_SENDER_ID) notes.push('human');
    if (format.showIds) notes.push(`id ${message.id}`);
    if (message.type !== 'response') notes.push(message.type);
    if (message.recipient !== undefined) {
      notes.push(`to ${quotedName(format.nameOf(message.recipient) ?? message.recipient)} only`);
    }
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
  const visible = visibleTo(messages, expertId, limit);
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
});

/** An expert's answer read as a message: structured when it is valid JSON, else plain text. */
export interface ExpertReply {
  type: ExpertMessageType;
  content: string;
  recipient?: string;
  replyTo?: string;
  structured: boolean;
}

/** Reads an answer; anything but a valid JSON reply becomes plain content of the mode's default type. */
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
  if (!parsed.success) return fallback;
  return {
    type: parsed.data.type ?? defaultType,
    content: parsed.data.content,
    ...(parsed.data.recipient ? { recipient: parsed.data.recipient } : {}),
    ...(parsed.data.replyTo ? { replyTo: parsed.data.replyTo } : {}),
    structured: true,
  };
}

/** The address of a reply, checked: a recipient must be another expert, a replyTo a message the sender saw. */
export function addressReply(
  reply: Pick<ExpertReply, 'recipient' | 'replyTo'>,
  senderId: string,
  experts: readonly Pick<Expert, 'id' | 'name'>[],
  seenMessageIds: ReadonlySet<string>,
): { recipient?: string; replyTo?: string; context?: Record<string, unknown> } {
  const context: Record<string, unknown> = {};
  let recipient: string | undefined;
  if (reply.recipient !== undefined) {
    // Models name experts as often as they quote ids.
    const wanted = reply.recipient.trim().toLowerCase();
    const match = experts.find((e) => e.id.toLowerCase() === wanted || e.name.toLowerCase() === wanted);
    if (match && match.id !== senderId) recipient = match.id;
    else context.ignoredRecipient = reply.recipient;
  }
  let replyTo: string | undefined;
  if (reply.replyTo !== undefined) {
    if (seenMessageIds.has(reply.replyTo)) replyTo = reply.replyTo;
    else context.ignoredReplyTo = reply.replyTo;
  }
  return {
    ...(recipient !== undefined && { recipient }),
    ...(replyTo !== undefined && { replyTo }),
    ...(Object.keys(context).length > 0 && { context }),
  };
}
