import type { WorkflowHandle } from '@temporalio/client';
import type { TranscriptEntry } from '../../common/session';
import { RunNotFoundError } from '../../common/userError';
import { followRun, ROUND_WATCH_MAX_MS, type FollowRunEnd } from './followRun';
import type { RunProgressItem } from './progressPage';
import { SessionRoundTracker, type RoundChoice } from './sessionRoundTracker';

/** Where one participant's call stands in the round being played. */
export type RoundCallState =
  | { kind: 'waiting' }
  | { kind: 'thinking' }
  | { kind: 'retrying'; attempt: number; maxAttempts?: number; reason: string }
  /** Held by an `onExhausted: ask` budget until a person raises or stops it, or `until` (ISO) passes. */
  | { kind: 'budget'; until: string }
  /** `late`: the call ended after its round had closed (a quorum or deadline). */
  | { kind: 'done'; tokens: number; late?: true }
  /** `error` as the log has it (its message cut to SESSION_PROGRESS_LIMITS.maxTextChars). */
  | { kind: 'failed'; error?: { type: string; message: string }; late?: true }
  | { kind: 'skipped'; error?: { type: string; message: string }; late?: true };

/** One participant of the round, with its state. */
export interface RoundParticipant {
  name: string;
  role: string;
  state: RoundCallState;
  /** When the session logged this state (ISO 8601, the workflow's clock). */
  since: string;
}

/**
 * Why a watch ended by itself, as {@link followRun} ends; `stop()` ends it too, with `stopped`.
 * `not-found`: no session with this id (never started, or removed after its retention period).
 */
export type SessionRoundWatchEnd = Exclude<FollowRunEnd, { reason: 'caught-up' }> | { reason: 'not-found' };

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
  /** Watch only one round: the one a `sendMessage` update asked for (its `updateId` option), or round N. */
  only?: RoundChoice;
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

/** How long `stop()` waits for its last read (a query to a session no worker serves would wait longer). */
const LAST_READ_MS = 5_000;

/**
 * Follows the rounds a session plays from `fromIndex` on, from any process, until `stop()` or until
 * the session is no longer running: it reads the session's progress log through {@link followRun}
 * and hands `onProgress` every participant's state after each change the log holds, with the answer
 * a call ended with, and once per poll the states with the calls waiting for a retry (from the
 * run's pending calls). Every state is seen, however fast a call was. A run that closed, or a
 * session that does not exist, gets one last progress with `end` set; so does `maxWatchMs` passing,
 * or reads failing for ten minutes (`ROUND_WATCH_UNREACHABLE_MS`) (a restart is waited through).
 */
export function watchSessionRound(
  handle: WorkflowHandle,
  options: WatchSessionRoundOptions,
): SessionRoundWatch {
  const tracker = new SessionRoundTracker(options.fromIndex ?? 0, options.only);
  const stopping = new AbortController();
  let cursor = 0;
  let changed = false;
  let callbackError: { error: unknown } | undefined;
  const deliver = (progresses: SessionRoundProgress[]): void => {
    for (const progress of progresses) {
      if (callbackError) return;
      try {
        options.onProgress(progress);
      } catch (error) {
        callbackError = { error };
        stopping.abort();
      }
    }
  };
  const read = (item: RunProgressItem): void => {
    if (item.kind !== 'session') return;
    cursor = item.event.index + 1;
    const progresses = tracker.readEvents([item]);
    changed ||= progresses.length > 0;
    deliver(progresses);
  };
  const ended = (async (): Promise<SessionRoundWatchEnd> => {
    const log = followRun(handle, {
      kind: 'session',
      fromEvent: cursor,
      signal: stopping.signal,
      ...(options.pollMs !== undefined && { pollMs: options.pollMs }),
      maxWatchMs: options.maxWatchMs ?? ROUND_WATCH_MAX_MS,
      // One progress per poll at least while a call is in flight (with its retries): displays tick.
      onPoll: (description) => {
        if (!changed || tracker.thinking().length > 0)
          deliver([tracker.now(description.raw.pendingActivities ?? [])]);
        changed = false;
      },
    });
    const end = await drain(log, read).catch((error: unknown) => {
      if (error instanceof RunNotFoundError) return { reason: 'not-found' } as const;
      throw error;
    });
    if (end.reason === 'stopped' || end.reason === 'caught-up') return { reason: 'stopped' };
    deliver([{ ...tracker.now([]), end }]);
    return end;
  })();
  return {
    ended,
    async stop() {
      stopping.abort();
      const end = await ended;
      // What was logged since the last poll (a round's end) is still delivered, unless the watch ended.
      if (end.reason === 'stopped' && !callbackError) {
        const last = followRun(handle, { kind: 'session', fromEvent: cursor, follow: false });
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, LAST_READ_MS)));
        await Promise.race([drain(last, read).catch(() => undefined), timeout]);
        clearTimeout(timer);
      }
      if (callbackError) throw callbackError.error;
    },
  };
}

/** Hands `read` every event `log` yields; its end once it has none left. */
async function drain(
  log: AsyncGenerator<RunProgressItem, FollowRunEnd>,
  read: (item: RunProgressItem) => void,
): Promise<FollowRunEnd> {
  for (let next = await log.next(); ; next = await log.next()) {
    if (next.done) return next.value;
    read(next.value);
  }
}
