import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { MAX_BUDGET_ASK_TIMEOUT_MS } from '../../common/budget';
import { sessionViewQuery, transcriptQuery } from '../../common/sessionApi';
import { RoundTracker, type RoundSnapshot } from './roundTracker';

export type { RoundCallState, RoundParticipant } from './roundTracker';

/**
 * The longest a round watch lasts unless told otherwise: the longest a round may be held (an `ask`
 * budget's longest wait for a person, a week) and a day for its calls.
 */
export const ROUND_WATCH_MAX_MS = MAX_BUDGET_ASK_TIMEOUT_MS + 24 * 60 * 60_000;

/** How long polls may keep failing (a server or worker restarting takes seconds) before a watch ends. */
export const ROUND_WATCH_UNREACHABLE_MS = 10 * 60_000;

/** Why a watch ended by itself; `stop()` ends it too, with `stopped`. */
export type SessionRoundWatchEnd =
  /** The session's run is no longer running (`status`: COMPLETED, TERMINATED, CONTINUED_AS_NEW…). */
  | { reason: 'run-closed'; status: string }
  /** No session with this id (never started, or removed after its retention period). */
  | { reason: 'not-found' }
  /** `maxWatchMs` passed while the session was still running. */
  | { reason: 'time-limit'; afterMs: number }
  /** Every poll failed for `ROUND_WATCH_UNREACHABLE_MS`; `error` is the last one's message. */
  | { reason: 'unreachable'; error: string }
  | { reason: 'stopped' };

/** What one poll of {@link watchSessionRound} saw. */
export interface SessionRoundProgress extends RoundSnapshot {
  /** Set on the last progress only, when the watch ended by itself: why. */
  end?: Exclude<SessionRoundWatchEnd, { reason: 'stopped' }>;
}

/** Options of {@link watchSessionRound}. */
export interface WatchSessionRoundOptions {
  /** Called once per poll; an error it throws ends the watch, and `stop()` rethrows it. */
  onProgress: (progress: SessionRoundProgress) => void;
  /** The transcript index the round's entries start at (absolute, as `view().transcriptLength`). */
  fromIndex?: number;
  /** Time between polls; 400 ms unless set. */
  pollMs?: number;
  /** The watch ends (`time-limit`) after this long; {@link ROUND_WATCH_MAX_MS} unless set. */
  maxWatchMs?: number;
}

/** A running round watch; `stop` ends it after the poll in flight and rethrows the callback's error. */
export interface SessionRoundWatch {
  stop(): Promise<void>;
  /** Resolves (never rejects) once the watch has ended: by itself, or `stopped`. */
  ended: Promise<SessionRoundWatchEnd>;
}

const EMPTY: RoundSnapshot = { participants: [], answers: [] };

/**
 * Follows the round a session is playing, from any process, until `stop()` or until the session is
 * no longer running: each poll reads the session view, the transcript from where it got to, and the
 * run's description (its status, and the pending calls for retries) and hands `onProgress` every
 * participant's state and the answers new since the last poll. A session whose run has closed, or
 * that does not exist, gets one last progress with `end` set, and the watch ends; so it does after
 * `maxWatchMs`, or when polls have failed for {@link ROUND_WATCH_UNREACHABLE_MS} (a worker or server
 * restarting is waited through: the next poll catches up).
 */
export function watchSessionRound(
  handle: WorkflowHandle,
  options: WatchSessionRoundOptions,
): SessionRoundWatch {
  const tracker = new RoundTracker(options.fromIndex ?? 0);
  const startedMs = Date.now();
  const maxWatchMs = options.maxWatchMs ?? ROUND_WATCH_MAX_MS;
  let stopped = false;
  let wake = (): void => undefined;
  let callbackError: { error: unknown } | undefined;
  let failingSinceMs: number | undefined;

  /** One poll: the progress to hand on, and `end` when the watch ends with it. */
  const poll = async (): Promise<SessionRoundProgress | undefined> => {
    const [view, entries, description] = await Promise.allSettled([
      handle.query(sessionViewQuery),
      handle.query(transcriptQuery, { fromIndex: tracker.cursor }),
      handle.describe(),
    ]);
    if (description.status === 'rejected' && description.reason instanceof WorkflowNotFoundError)
      return { ...EMPTY, end: { reason: 'not-found' } };
    const read =
      view.status === 'fulfilled' && entries.status === 'fulfilled' && description.status === 'fulfilled'
        ? tracker.progress(view.value, entries.value, description.value.raw.pendingActivities ?? [])
        : undefined;
    // A closed run answers queries only while a worker can replay it: without one, its end still counts.
    if (description.status === 'fulfilled' && description.value.status.name !== 'RUNNING')
      return { ...(read ?? EMPTY), end: { reason: 'run-closed', status: description.value.status.name } };
    if (read) {
      failingSinceMs = undefined;
      return Date.now() - startedMs >= maxWatchMs ? { ...read, end: timeLimit(maxWatchMs) } : read;
    }
    failingSinceMs ??= Date.now();
    if (Date.now() - failingSinceMs >= ROUND_WATCH_UNREACHABLE_MS)
      return { ...EMPTY, end: { reason: 'unreachable', error: firstError([view, entries, description]) } };
    return Date.now() - startedMs >= maxWatchMs ? { ...EMPTY, end: timeLimit(maxWatchMs) } : undefined;
  };

  const ended = (async (): Promise<SessionRoundWatchEnd> => {
    while (!stopped) {
      const progress = await poll();
      if (progress && !stopped) {
        try {
          options.onProgress(progress);
        } catch (error) {
          callbackError = { error };
          stopped = true;
        }
        if (progress.end) return progress.end;
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.pollMs ?? 400);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return { reason: 'stopped' };
  })();
  return {
    ended,
    async stop() {
      stopped = true;
      wake();
      await ended;
      if (callbackError) throw callbackError.error;
    },
  };
}

function timeLimit(afterMs: number): SessionRoundWatchEnd & { reason: 'time-limit' } {
  return { reason: 'time-limit', afterMs };
}

function firstError(results: ReadonlyArray<PromiseSettledResult<unknown>>): string {
  const failed = results.find((result) => result.status === 'rejected');
  const reason: unknown = failed?.status === 'rejected' ? failed.reason : undefined;
  return reason instanceof Error ? reason.message : String(reason);
}
