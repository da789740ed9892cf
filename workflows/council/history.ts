import { HUMAN_SENDER_ID, type ConversationContextData, type ExpertMessageData } from '../../common/council';
import { jsonStringBytes, NOTICE_ROOM, shareOut } from '../../common/size';
import { FENCE_BYTES, QUOTED_TEXT_NOTICE, quotedBlock, quotedName } from '../shared/untrusted';
import { visibleTo } from './messages';

// Pure history formatting: what an expert is shown of the messages it may see (see ./messages.ts).

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

/** A history fitted to its share: the messages it shows (contents maybe shortened) and its text. */
export interface FittedHistory {
  messages: ExpertMessageData[];
  text: string;
  /** True when a message was left out or shortened. */
  cut: boolean;
}

/**
 * {@link formatHistory} within about `maxBytes` (JSON bytes, as the prompt carries it): past it the
 * oldest messages (urgent unread ones last) leave until each kept one has room for a notice (all of
 * them, when there is not room for one), then the kept ones are shortened by {@link shortenHistory}.
 */
export function fitHistory(
  messages: readonly ExpertMessageData[],
  format: HistoryFormat,
  maxBytes: number,
): FittedHistory {
  const text = formatHistory(messages, format);
  if (jsonStringBytes(text) <= maxBytes) return { messages: [...messages], text, cut: false };
  const kept = [...messages];
  while (kept.length > 0 && roomFor(kept, format, maxBytes) < kept.length * NOTICE_ROOM) {
    const oldest = kept.findIndex((message) => !format.firstIds?.has(message.id));
    kept.splice(Math.max(0, oldest), 1);
  }
  return { ...shortenHistory(kept, format, maxBytes), cut: true };
}

/**
 * Every message's content shortened to a fair share of what `maxBytes` leaves beside the history's
 * frame, with a notice. Deterministic: a reader given the same messages and budget (a turn's
 * `historyBytes`) gets the text the prompt held.
 */
export function shortenHistory(
  messages: readonly ExpertMessageData[],
  format: HistoryFormat,
  maxBytes: number,
): Omit<FittedHistory, 'cut'> {
  const { texts } = shareOut(
    messages.map((message) => message.content),
    roomFor(messages, format, maxBytes),
    (shown, all) =>
      `\n\n[council: shortened to ${shown} of ${all} bytes: a council's prompts share a bounded history]`,
  );
  const shortened = messages.map((message, i) => ({ ...message, content: texts[i] ?? '' }));
  return { messages: shortened, text: formatHistory(shortened, format) };
}

/** Bytes left for the messages' contents: `maxBytes` less the frame, and the widest fence around each. */
function roomFor(messages: readonly ExpertMessageData[], format: HistoryFormat, maxBytes: number): number {
  const frame = jsonStringBytes(
    formatHistory(
      messages.map((m) => ({ ...m, content: '' })),
      format,
    ),
  );
  return maxBytes - frame - messages.length * FENCE_BYTES;
}
