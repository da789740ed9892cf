import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { MAX_BUDGET_ASK_TIMEOUT_MS } from '../../common/budget';
import type { TranscriptEntry } from '../../common/session';
import { sessionProgressQuery } from '../../common/sessionProgress';
import { SessionRoundTracker } from './sessionRoundTracker';
import { lastRead, WatchEnds } from './watchEnds';

/** Where one participant's call stands in the round being played. */
export type RoundCallState =
  | { kind: 'waiting' }
  | { kind: 'thinking' }
  | { kind: 'retrying'; attempt: number; maxAttempts?: number; reason: string }
  /** Held by an `onExhausted: ask` budget until a person raises or stops it, or `until` (ISO) passes. */
  | { kind: 'budget'; until: string }
  | { kind: 'done'; tokens: number }
  /** `error` as the log has it (its message cut to SESSION_PROGRESS_LIMITS.maxTextChars). */
  | { kind: 'failed'; error?: { type: string; message: string } }
  | { kind: 'skipped'; error?: { type: string; message: string } };

/** One participant of the round, with its state. */
export interface RoundParticipant {
  name: string;
  role: string;
  state: RoundCallState;
}

/**
 * The longest a round watch lasts unless told otherwise: the longest a round may be held (an `ask`
 * budget's longest wait for a person, a week) and a day for its calls.
 */
export const ROUND_WATCH_MAX_MS = MAX_BUDGET_ASK_TIMEOUT_MS + 24 * 60 * 60_000;

/** Why a watch ended by itself; `stop()` ends it too, with `stopped`. */
export type SessionRoundWatchEnd =
  /** The session's run is no longer running (`status`: COMPLETED, TERMINATED, CONTINUED_AS_NEW…). */
  | { reason: 'run-closed'; status: string }
  /** No session with this id (never started, or removed after its retention period). */
  | { reason: 'not-found' }
  /** `maxWatchMs` passed while the session was still running. */
  | { reason: 'time-limit'; afterMs: number }
  /** Every poll failed for ten minutes; `error` is the last one's message. */
  | { reason: 'unreachable'; error: string }
  | { reason: 'stopped' };

/** What {@link watchSessionRound} saw: the states after one change in the progress log, or after a poll. */
export interface SessionRoundProgress {
  /** Every participant of the watched rounds, in the order they appeared, with its latest state. */
  participants: RoundParticipant[];
  /** The answer (failed and skipped ones included) the change ended a call with, if any. */
  answers: TranscriptEntry[];
  /** Set on the last progress only, when the watch ended by itself: why. */
  end?: Exclude<SessionRoundWatchEnd, { reason: 'stopped' }>;
}

/** Options of {@link watchSessionRound}. */
export interface WatchSessionRoundOptions {
  /**
   * Called once per change of state the log shows, in order, and once more per poll while nothing
   * changed or a call is in flight; an error it throws ends the watch, and `stop()` rethrows it.
   */
  onProgress: (progress: SessionRoundProgress) => void;
  /** Watch the rounds whose message is at or after this transcript index (absolute, as `view().transcriptLength`). */
  fromIndex?: number;
  /** Time between polls; 400 ms unless set. */
  pollMs?: number;
  /** The watch ends (`time-limit`) after this long; {@link ROUND_WATCH_MAX_MS} unless set. */
  maxWatchMs?: number;
}

/**
 * A running round watch; `stop` ends it after the poll in flight and one last read of the log, and
 * rethrows the callback's error.
 */
export interface SessionRoundWatch {
  stop(): Promise<void>;
  /** Resolves (never rejects) once the watch has ended: by itself, or `stopped`. */
  ended: Promise<SessionRoundWatchEnd>;
}

/**
 * Follows the rounds a session plays from `fromIndex` on, from any process, until `stop()` or until
 * the session is no longer running: each poll reads the session's progress log from where it got to
 * and the run's description (its status; the pending calls, for retries) and hands `onProgress` every
 * participant's state after each change the log holds, with the answer a call ended with. Every state
 * is seen, however fast a call was. A run that closed, or a session that does not exist, gets one
 * last progress with `end` set; so does `maxWatchMs` passing, or polls failing for
 * ten minutes (`ROUND_WATCH_UNREACHABLE_MS`) (a worker or server restarting is waited through).
 */
export function watchSessionRound(
  handle: WorkflowHandle,
  options: WatchSessionRoundOptions,
): SessionRoundWatch {
  const tracker = new SessionRoundTracker(options.fromIndex ?? 0);
  const ends = new WatchEnds(options.maxWatchMs ?? ROUND_WATCH_MAX_MS);
  let stopped = false;
  let wake = (): void => undefined;
  let callbackError: { error: unknown } | undefined;
  const deliver = (progresses: SessionRoundProgress[]): SessionRoundProgress['end'] => {
    for (const progress of progresses) {
      if (callbackError) return undefined;
      try {
        options.onProgress(progress);
      } catch (error) {
        callbackError = { error };
      }
      if (progress.end) return progress.end;
    }
    return undefined;
  };
  const poll = async (): Promise<SessionRoundProgress[]> => {
    const [page, description] = await Promise.allSettled([
      handle.query(sessionProgressQuery, { fromEvent: tracker.cursor }),
      handle.describe(),
    ]);
    if (description.status === 'rejected' && description.reason instanceof WorkflowNotFoundError)
      return [ends.progress(tracker, { reason: 'not-found' })];
    const read = page.status === 'fulfilled' && description.status === 'fulfilled';
    const progresses = read ? tracker.read(page.value) : [];
    // One progress per poll at least while a call is in flight (with its retries): displays tick.
    if (read && (progresses.length === 0 || tracker.thinking().length > 0))
      progresses.push(tracker.now(description.value.raw.pendingActivities ?? []));
    // A closed run answers queries only while a worker can replay it: without one, its end still counts.
    if (description.status === 'fulfilled' && description.value.status.name !== 'RUNNING') {
      const status = description.value.status.name;
      return [...progresses, ends.progress(tracker, { reason: 'run-closed', status })];
    }
    const end = ends.after(read, [page, description]);
    return end ? [...progresses, ends.progress(tracker, end)] : progresses;
  };
  const ended = (async (): Promise<SessionRoundWatchEnd> => {
    while (!stopped) {
      const end = deliver(await poll());
      if (end) return end;
      if (callbackError || stopped) break;
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
      const end = await ended;
      // What was logged since the last poll (a round's end) is still delivered, unless the watch ended.
      if (end.reason === 'stopped' && !callbackError) deliver(await lastRead(poll));
      if (callbackError) throw callbackError.error;
    },
  };
}
