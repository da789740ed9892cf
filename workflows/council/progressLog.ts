import {
  councilFinished,
  COUNCIL_PROGRESS_LIMITS,
  MAX_EVENTS_PER_PAGE,
  type CouncilProgress,
  type CouncilStatus,
  type ProgressEvent,
  type ProgressRequest,
} from '../../common/councilApi';
import { jsonBytes } from '../../common/size';
import type { Unstamped } from '../../common/unstamped';
import { nextIndex, readPage, type OffsetLogState } from '../shared/offsetLog';
import type { CouncilTranscript } from './councilTranscript';
import type { MessageStamp } from './messages';

/** The workflow's clock and id source, injected so the ledger holds no Temporal API. */
export interface LedgerClock {
  stamp(): MessageStamp;
  /** Workflow time as an ISO string. */
  now(): string;
}

/** A council event before the log numbers and times it. */
export type NewEvent = Unstamped<ProgressEvent, 'seq' | 'at'>;

/** Where the council is, as a progress page reports it. */
export interface PageState {
  status: CouncilStatus;
  round: number;
  transcript: CouncilTranscript;
}

/**
 * The council's durable progress log, which clients poll by page: each event numbered by its index
 * and stamped with workflow time, so replay rebuilds the same log and a client that attaches after
 * a crash reads what one attached from the start read. Only the newest events are held
 * ({@link COUNCIL_PROGRESS_LIMITS}); a page says where the held ones start. State only, no command:
 * the bound needs no patch.
 */
export class ProgressLog {
  private readonly log: OffsetLogState<ProgressEvent> = { dropped: 0, events: [] };
  /** JSON bytes of each held event, oldest first, and their sum. */
  private readonly sizes: number[] = [];
  private bytes = 0;

  constructor(
    private readonly clock: LedgerClock,
    /** Hears every event as it is logged (the Web UI's current details). */
    private readonly onEvent: (event: ProgressEvent) => void,
  ) {}

  /** The events still held, oldest first. */
  get events(): readonly ProgressEvent[] {
    return this.log.events;
  }

  /** How many of the oldest events were dropped: the `seq` of the oldest held. */
  get dropped(): number {
    return this.log.dropped;
  }

  record(event: NewEvent): void {
    const logged: ProgressEvent = { ...event, seq: nextIndex(this.log), at: this.clock.now() };
    const size = jsonBytes(logged);
    this.log.events.push(logged);
    this.sizes.push(size);
    this.bytes += size;
    const { maxEvents, maxBytes } = COUNCIL_PROGRESS_LIMITS;
    // Bounded by the events held: each turn drops one.
    while (this.log.events.length > 1 && (this.log.events.length > maxEvents || this.bytes > maxBytes)) {
      this.log.events.shift();
      this.bytes -= this.sizes.shift() ?? 0;
      this.log.dropped += 1;
    }
    this.onEvent(logged);
  }

  /** One page of the log with the messages its events name (those the transcript still holds). */
  page(state: PageState, request: ProgressRequest | undefined): CouncilProgress {
    const { transcript } = state;
    const { events, nextEvent, totalEvents, firstEvent } = readPage(this.log, request, MAX_EVENTS_PER_PAGE);
    const named = new Set(events.map((event) => ('messageId' in event ? event.messageId : undefined)));
    return {
      status: state.status,
      round: state.round,
      done: councilFinished(state.status),
      events,
      nextEvent,
      totalEvents,
      firstEvent,
      messages: transcript.messages.filter((message) => named.has(message.id)),
      droppedMessages: transcript.droppedMessages,
      inboxes: transcript.inboxCopies(),
    };
  }
}
