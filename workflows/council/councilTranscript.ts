import { COUNCIL_LIMITS, type ExpertMessageData } from '../../common/council';
import { jsonBytes } from '../../common/size';
import { recipientsOf } from './messages';

/**
 * The council's transcript and each expert's inbox, within their bounds: a message is cut to
 * `maxStoredMessageChars`, the transcript to `transcriptByteBudget` (oldest dropped first) and an
 * inbox to the history depth. Holds no log: the ledger records what happens here.
 */
export class CouncilTranscript {
  readonly messages: ExpertMessageData[] = [];
  /**
   * Each expert's inbox: ids of the messages routed to it since its last turn, oldest first (at most
   * the history depth). Its next turn takes them all, once: urgent ones it reads first.
   */
  readonly inboxes: Record<string, string[]> = {};
  droppedMessages = 0;
  private bytes = 0;

  constructor(
    private readonly expertIds: readonly string[],
    private readonly maxInbox: number,
  ) {
    for (const id of expertIds) this.inboxes[id] = [];
  }

  /** Empties an expert's inbox: the messages waiting for it that the transcript still holds. */
  deliver(expertId: string): ExpertMessageData[] {
    const waiting = new Set(this.inboxes[expertId]?.splice(0));
    return this.messages.filter((message) => waiting.has(message.id));
  }

  /** Stores a message and puts it in its recipients' inboxes; returns it as stored and where it went. */
  route(message: ExpertMessageData): { stored: ExpertMessageData; deliveredTo: string[] } {
    const stored = this.store(message);
    const deliveredTo = recipientsOf(stored, this.expertIds);
    for (const id of deliveredTo) {
      const inbox = this.inboxes[id];
      inbox?.push(stored.id);
      if (inbox && inbox.length > this.maxInbox) inbox.shift();
    }
    return { stored, deliveredTo };
  }

  /** Stores a message within the transcript budget, delivering it to no one. */
  store(message: ExpertMessageData): ExpertMessageData {
    const max = COUNCIL_LIMITS.maxStoredMessageChars;
    const stored =
      message.content.length > max
        ? { ...message, content: `${message.content.slice(0, max)} [cut at ${max} characters]` }
        : message;
    this.messages.push(stored);
    this.bytes += jsonBytes(stored);
    while (this.bytes > COUNCIL_LIMITS.transcriptByteBudget && this.messages.length > 1) {
      const dropped = this.messages.shift();
      this.bytes -= dropped ? jsonBytes(dropped) : 0;
      this.droppedMessages += 1;
    }
    return stored;
  }

  /** A copy of every inbox, for a progress page. */
  inboxCopies(): Record<string, string[]> {
    return Object.fromEntries(Object.entries(this.inboxes).map(([id, inbox]) => [id, [...inbox]]));
  }
}
