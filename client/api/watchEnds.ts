import type { SessionRoundTracker } from './sessionRoundTracker';
import type { SessionRoundProgress } from './sessionRoundWatch';

/** How long polls may keep failing (a server or worker restarting takes seconds) before a watch ends. */
export const ROUND_WATCH_UNREACHABLE_MS = 10 * 60_000;

/** How long `stop()` waits for its last read (a query to a session no worker serves would wait longer). */
const LAST_READ_MS = 5_000;

/**
 * One more poll after a watch was stopped, so what was logged since its last one (a round's end) is
 * still delivered; given up after LAST_READ_MS.
 */
export async function lastRead(poll: () => Promise<SessionRoundProgress[]>): Promise<SessionRoundProgress[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<SessionRoundProgress[]>(
    (resolve) => (timer = setTimeout(() => resolve([]), LAST_READ_MS)),
  );
  const read = await Promise.race([poll().catch(() => []), timeout]);
  clearTimeout(timer);
  // Only the states: an `end` found by this read belongs to no watch any more.
  return read.filter((progress) => !progress.end);
}

/** When a watch ends by itself: time limit, or polls failing for too long. */
export class WatchEnds {
  private readonly startedMs = Date.now();
  private failingSinceMs: number | undefined;

  constructor(private readonly maxWatchMs: number) {}

  /** The end due after a poll that `read` (or failed to, with `results`), if any. */
  after(read: boolean, results: ReadonlyArray<PromiseSettledResult<unknown>>): SessionRoundProgress['end'] {
    if (read) this.failingSinceMs = undefined;
    else this.failingSinceMs ??= Date.now();
    if (this.failingSinceMs !== undefined && Date.now() - this.failingSinceMs >= ROUND_WATCH_UNREACHABLE_MS)
      return { reason: 'unreachable', error: firstError(results) };
    if (Date.now() - this.startedMs >= this.maxWatchMs)
      return { reason: 'time-limit', afterMs: this.maxWatchMs };
    return undefined;
  }

  /** The last progress: the states as they stand, with why the watch ended. */
  progress(
    tracker: SessionRoundTracker,
    end: NonNullable<SessionRoundProgress['end']>,
  ): SessionRoundProgress {
    return { ...tracker.now([]), end };
  }
}

function firstError(results: ReadonlyArray<PromiseSettledResult<unknown>>): string {
  const failed = results.find((result) => result.status === 'rejected');
  const reason: unknown = failed?.status === 'rejected' ? failed.reason : undefined;
  return reason instanceof Error ? reason.message : String(reason);
}
