import { z } from 'zod';
import { MESSAGE_TYPES, type Expert, type ExpertMessageType } from '../../common/council';
import { MESSAGE_PRIORITIES, type MessagePriority } from '../../common/councilRouting';

// Pure reading of an expert's answer as a message: its type, content and checked address.

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
