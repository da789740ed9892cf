/**
 * A progress log held as plain JSON, so a session can carry it across continue-as-new: the newest
 * events, and how many older ones were dropped to keep it bounded. An event's index (its offset) is
 * `dropped` plus its place in `events`: it never changes, so a reader resumes from any index it saw.
 */
export interface OffsetLogState<E> {
  dropped: number;
  events: E[];
}

/** Which events a reader asks for: from `fromEvent` on, at most `maxEvents` (both optional). */
export interface OffsetRequest {
  fromEvent?: number;
  maxEvents?: number;
}

/** One page of an offset log. */
export interface OffsetPage<E> {
  events: E[];
  /** Pass this as `fromEvent` to read on. */
  nextEvent: number;
  /** Events ever logged: the reader has caught up when `nextEvent` reaches it. */
  totalEvents: number;
  /** The oldest index still held: a reader asking from before it missed `firstEvent - fromEvent` events. */
  firstEvent: number;
}

/** Appends `event`; past `maxEvents` the oldest leave the log and count as dropped. */
export function appendBounded<E>(log: OffsetLogState<E>, event: E, maxEvents: number): void {
  log.events.push(event);
  const excess = log.events.length - Math.max(1, maxEvents);
  if (excess > 0) {
    log.events.splice(0, excess);
    log.dropped += excess;
  }
}

/** The index the next event appended to `log` gets. */
export function nextIndex(log: OffsetLogState<unknown>): number {
  return log.dropped + log.events.length;
}

/** The page `request` asks for, at most `maxPage` events; a request from before the log's start starts there. */
export function readPage<E>(
  log: OffsetLogState<E>,
  request: OffsetRequest | undefined,
  maxPage: number,
): OffsetPage<E> {
  const from = Math.max(log.dropped, Math.floor(request?.fromEvent ?? 0));
  const size = Math.min(Math.max(1, request?.maxEvents ?? maxPage), maxPage);
  const start = from - log.dropped;
  const events = log.events.slice(start, start + size);
  return { events, nextEvent: from + events.length, totalEvents: nextIndex(log), firstEvent: log.dropped };
}
