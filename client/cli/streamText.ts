import type { TokenEvent } from '../api/tokens';
import { printable } from '../../common/printable';

/** Lines of a participant's growing text shown under its line on a terminal. */
export const LIVE_TEXT_LINES = 3;

/**
 * The last `lines` lines of `text` as a terminal of `width` columns shows them, cleaned of escapes
 * (sanitize.ts) and tabs; each line is cut at the width, so the live display keeps its height.
 */
export function liveTail(text: string, width: number, lines = LIVE_TEXT_LINES): string[] {
  // Only the end is shown: cleaning more than a few screens of it would be wasted work.
  const recent = printable(text.slice(-lines * Math.max(width, 20) * 4)).replace(/\t/g, '  ');
  const wrapped: string[] = [];
  for (const line of recent.split('\n').slice(-lines)) {
    if (line.length === 0) wrapped.push('');
    for (let start = 0; start < line.length; start += width) wrapped.push(line.slice(start, start + width));
  }
  return wrapped.slice(-lines);
}

/**
 * Without a terminal, streamed text is printed as complete lines, each once, as it arrives: the
 * line after the last newline waits for its end (or for the answer, printed whole by the caller).
 */
export class PlainLines {
  /** Per call: the absolute offset up to which lines were printed, and the attempt. */
  private readonly printed = new Map<string, { attempt: number; upTo: number }>();

  /** The complete lines of `event` not printed yet (cleaned), and notes of restarts and gaps. */
  take(event: TokenEvent): string[] {
    const out: string[] = [];
    let seen = this.printed.get(event.callId);
    if (seen && seen.attempt !== event.attempt) out.push('(attempt failed: the text starts over)');
    if (!seen || seen.attempt !== event.attempt) seen = { attempt: event.attempt, upTo: event.offset };
    if (seen.upTo < event.offset) {
      out.push(`(${event.offset - seen.upTo} characters not seen)`);
      seen.upTo = event.offset;
    }
    const fresh = event.text.slice(seen.upTo - event.offset);
    const end = fresh.lastIndexOf('\n');
    if (end >= 0) {
      out.push(...fresh.slice(0, end).split('\n').map(printable));
      seen.upTo += end + 1;
    }
    this.printed.set(event.callId, seen);
    return out;
  }
}
