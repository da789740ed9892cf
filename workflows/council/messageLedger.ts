import type { CouncilContext, ExpertMessageData } from '../../common/council';
import type { ProgressEvent, TurnPhase } from '../../common/councilApi';
import { CouncilTranscript } from './councilTranscript';
import type { MessageStamp } from './messages';
import { ProgressLog, type LedgerClock, type NewEvent } from './progressLog';

/**
 * The council's messages and the log they are recorded in: the base of {@link CouncilLedger}, which
 * adds each expert's outcome and the council's status. Rebuilt by replay, as all workflow state.
 */
export abstract class MessageLedger {
  round = 0;
  humanMessages = 0;
  /** JSON bytes of people's message updates so far, as sent (COUNCIL_LIMITS.maxHumanMessageBytes). */
  humanMessageBytes = 0;
  /** The transcript and the inboxes. */
  readonly transcript: CouncilTranscript;
  private readonly log: ProgressLog;

  protected constructor(
    readonly context: CouncilContext,
    private readonly clock: LedgerClock,
    /** Hears every event as it is logged (the Web UI's current details). */
    onEvent: (event: ProgressEvent) => void,
  ) {
    this.log = new ProgressLog(clock, onEvent);
    const ids = context.activeExperts.map((expert) => expert.id);
    this.transcript = new CouncilTranscript(ids, context.maxHistoryMessages);
  }

  /** The messages the transcript holds, oldest first. */
  get messages(): readonly ExpertMessageData[] {
    return this.transcript.messages;
  }

  /** The progress log clients poll. */
  get events(): readonly ProgressEvent[] {
    return this.log.events;
  }

  /** How many messages the transcript's byte budget dropped, oldest first. */
  get droppedMessages(): number {
    return this.transcript.droppedMessages;
  }

  /** Empties an expert's inbox: the messages waiting for it that the transcript still holds. */
  deliver(expertId: string): ExpertMessageData[] {
    return this.transcript.deliver(expertId);
  }

  stamp(): MessageStamp {
    return this.clock.stamp();
  }

  /** Stores a message within the transcript budget, puts it in its recipients' inboxes, logs where it went. */
  addMessage(message: ExpertMessageData): ExpertMessageData {
    const { stored, deliveredTo } = this.transcript.route(message);
    if (this.context.enableMessaging) this.record({ kind: 'message', messageId: stored.id, deliveredTo });
    return stored;
  }

  /**
   * A message of the earlier conversation this council goes on from: stored, and logged as carried
   * and delivered to no one (its delivery happened in the council that wrote it), with the round and
   * phase it had there, so readers of the log place it where it was written.
   */
  carryOver(message: ExpertMessageData, place: { round?: number; phase?: TurnPhase }): void {
    const stored = this.transcript.store(message);
    const { round, phase } = place;
    this.record({
      kind: 'message',
      messageId: stored.id,
      deliveredTo: [],
      carried: true,
      ...(round !== undefined && { round }),
      ...(phase !== undefined && { phase }),
    });
  }

  /** Stores a person's message and logs it, so every follower can print it where it came. */
  humanMessage(message: ExpertMessageData, requestBytes: number): ExpertMessageData {
    this.humanMessages += 1;
    this.humanMessageBytes += requestBytes;
    const stored = this.addMessage(message);
    this.record({ kind: 'human', messageId: stored.id, round: this.round });
    return stored;
  }

  protected record(event: NewEvent): void {
    this.log.record(event);
  }

  protected get progressLog(): ProgressLog {
    return this.log;
  }
}
