import type { SessionState } from '../../common/session';
import {
  SESSION_PROGRESS_LIMITS,
  type NewSessionEvent,
  type SessionProgressEvent,
  type SessionProgressPage,
} from '../../common/sessionProgress';
import { appendBounded, nextIndex, readPage, type OffsetRequest } from '../shared/offsetLog';

/**
 * Logs one event in the session's progress log, numbered by its index and stamped with workflow
 * time: replay rebuilds the same log, and a reader polling at any pace sees every state a call
 * went through (a call that starts and ends between two polls is still seen thinking first).
 * State only, no command: logging needs no patch.
 */
export function logProgress(state: SessionState, event: NewSessionEvent): void {
  const log = (state.progress ??= { dropped: 0, events: [] });
  const logged = { ...event, index: nextIndex(log), at: new Date().toISOString() } as SessionProgressEvent;
  appendBounded(log, logged, SESSION_PROGRESS_LIMITS.maxEvents);
}

/** `text` cut to what an event keeps, and whether it was cut. */
export function clipped(text: string): { text: string; truncated: boolean } {
  const max = SESSION_PROGRESS_LIMITS.maxTextChars;
  return text.length > max ? { text: text.slice(0, max), truncated: true } : { text, truncated: false };
}

/** A call's failure as the log and the transcript keep it: its message {@link clipped}. */
export function clippedError(error: { type: string; message: string }): { type: string; message: string } {
  return { type: error.type, message: clipped(error.message).text };
}

/** The absolute transcript index of the entry appended last. */
export function lastTranscriptIndex(state: SessionState): number {
  return (state.transcriptDropped ?? 0) + state.transcript.length - 1;
}

/** One page of the log, with the transcript entries its ended calls name (those still carried). */
export function progressPage(state: SessionState, request: OffsetRequest | undefined): SessionProgressPage {
  const log = state.progress ?? { dropped: 0, events: [] };
  const page = readPage(log, request, SESSION_PROGRESS_LIMITS.maxPage);
  const dropped = state.transcriptDropped ?? 0;
  const entries: SessionProgressPage['entries'] = [];
  for (const event of page.events) {
    if (event.kind !== 'call' || event.transcriptIndex === undefined) continue;
    const entry = state.transcript[event.transcriptIndex - dropped];
    if (entry) entries.push({ index: event.transcriptIndex, entry });
  }
  return { round: state.round, closed: state.closed, ...page, entries };
}
