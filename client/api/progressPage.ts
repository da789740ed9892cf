import type { WorkflowHandle } from '@temporalio/client';
import type { ExpertMessageData } from '../../common/council';
import { councilProgressQuery, type ProgressEvent } from '../../common/councilApi';
import type { TranscriptEntry } from '../../common/session';
import { sessionProgressQuery, type SessionProgressEvent } from '../../common/sessionProgress';

/**
 * One event of a run's progress log, with the answer or message it names (if the run still holds
 * it); a council's with `round`, the council's current round as the page that held the event said.
 */
export type RunProgressItem =
  | { kind: 'session'; event: SessionProgressEvent; entry?: TranscriptEntry }
  | { kind: 'council'; event: ProgressEvent; round: number; message?: ExpertMessageData };

/** One page of a run's progress log, as read by its progress query, with what its events name. */
export interface ReadPage {
  items: RunProgressItem[];
  firstEvent: number;
  nextEvent: number;
  totalEvents: number;
  /** A council's page: it has logged its end (`completed` or `no-conclusion`), no event follows. */
  ended?: boolean;
}

/** The page of `handle`'s progress log from event `fromEvent` (the query bounds its size). */
export async function readPage(
  handle: WorkflowHandle,
  kind: 'session' | 'council',
  fromEvent: number,
): Promise<ReadPage> {
  if (kind === 'council') {
    const page = await handle.query(councilProgressQuery, { fromEvent });
    const byId = new Map(page.messages.map((message) => [message.id, message]));
    const items = page.events.map((event): RunProgressItem => {
      const message =
        'messageId' in event && event.messageId !== undefined ? byId.get(event.messageId) : undefined;
      return { kind, event, round: page.round, ...(message && { message }) };
    });
    const { firstEvent, nextEvent, totalEvents, done } = page;
    return { items, firstEvent, nextEvent, totalEvents, ended: done };
  }
  const page = await handle.query(sessionProgressQuery, { fromEvent });
  const byIndex = new Map(page.entries.map(({ index, entry }) => [index, entry]));
  const items = page.events.map((event): RunProgressItem => {
    const entry =
      event.kind === 'call' && event.transcriptIndex !== undefined
        ? byIndex.get(event.transcriptIndex)
        : undefined;
    return { kind, event, ...(entry && { entry }) };
  });
  return { items, firstEvent: page.firstEvent, nextEvent: page.nextEvent, totalEvents: page.totalEvents };
}
