import {
  MAX_EVENTS_PER_PAGE,
  type CouncilProgress,
  type CouncilStatus,
  type ProgressEvent,
  type ProgressRequest,
} from '../../common/councilApi';
import { readPage } from '../shared/offsetLog';
import type { CouncilTranscript } from './councilTranscript';
import type { MessageStamp } from './messages';

/** The workflow's clock and id source, injected so the ledger holds no Temporal API. */
export interface LedgerClock {
  stamp(): MessageStamp;
  /** Workflow time as an ISO string. */
  now(): string;
}

/** Distributes `Omit` over the event union, so each kind keeps its own fields. */
export type NewEvent = ProgressEvent extends infer E
  ? E extends ProgressEvent
    ? Omit<E, 'seq' | 'at'>
    : never
  : never;

/** Where the council is, as a progress page reports it. */
export interface PageState {
  status: CouncilStatus;
  round: number;
  transcript: CouncilTranscript;
}

/**
 * The council's durable progress log, which clients poll by page: each event numbered by its index
 * and stamped with workflow time, so replay rebuilds the same log and a client that attaches after
 * a crash reads what one attached from the start read.
 */
export class ProgressLog {
  readonly events: ProgressEvent[] = [];

  constructor(
    private readonly clock: LedgerClock,
    /** Hears every event as it is logged (the Web UI's current details). */
    private readonly onEvent: (event: ProgressEvent) => void,
  ) {}

  record(event: NewEvent): void {
    const logged: ProgressEvent = { ...event, seq: this.events.length, at: this.clock.now() };
    this.events.push(logged);
    this.onEvent(logged);
  }

  /** One page of the log with the messages its events name (those the transcript still holds). */
  page(state: PageState, request: ProgressRequest | undefined): CouncilProgress {
    const { transcript } = state;
    // The council keeps its whole log (its rounds are bounded): nothing is ever dropped.
    const log = { dropped: 0, events: this.events };
    const { events, nextEvent, totalEvents } = readPage(log, request, MAX_EVENTS_PER_PAGE);
    const named = new Set(events.map((event) => ('messageId' in event ? event.messageId : undefined)));
    return {
      status: state.status,
      round: state.round,
      done: state.status === 'completed',
      events,
      nextEvent,
      totalEvents,
      messages: transcript.messages.filter((message) => named.has(message.id)),
      droppedMessages: transcript.droppedMessages,
      inboxes: transcript.inboxCopies(),
    };
  }
}
