import type { ExpertMessageData, ExpertMessageType } from '../../common/council';

// Pure message creation and visibility: no Temporal API here, so the client and unit tests use the
// very functions the workflow uses.

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
