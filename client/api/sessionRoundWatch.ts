import type { WorkflowHandle } from '@temporalio/client';
import type { TranscriptEntry } from '../../common/session';
import { sessionProgressQuery } from '../../common/sessionProgress';
import { SessionRoundTracker } from './sessionRoundTracker';
import { startPollWatch, type PollDelivery, type PollWatch } from './pollWatch';

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

/** What {@link watchSessionRound} saw: the states after one change in the progress log, or after a poll. */
export interface SessionRoundProgress {
  /** Every participant of the watched rounds, in the order they appeared, with its latest state. */
  participants: RoundParticipant[];
  /** The answer (failed and skipped ones included) the change ended a call with, if any. */
  answers: TranscriptEntry[];
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
}

/**
 * A running round watch; `stop` ends it after the poll in flight and one last read, and rethrows the
 * callback's error.
 */
export type SessionRoundWatch = PollWatch;

/**
 * Follows the rounds a session plays from `fromIndex` on, from any process, until `stop()`: each
 * poll reads the session's progress log from where it got to (one query; a describe too while a
 * call is in flight, for its retries) and hands `onProgress` every participant's state after each
 * change the log holds, with the answer a call ended with. Every state is seen, however fast a
 * call was; `stop()` reads the log once more first, so nothing logged before it is missed. Poll
 * errors (a worker or server restarting) are waited through: the next poll catches up.
 */
export function watchSessionRound(
  handle: WorkflowHandle,
  options: WatchSessionRoundOptions,
): SessionRoundWatch {
  const tracker = new SessionRoundTracker(options.fromIndex ?? 0);
  const poll = async (delivery: PollDelivery) => {
    const page = await handle.query(sessionProgressQuery, { fromEvent: tracker.cursor });
    const progresses = tracker.read(page);
    const thinking = tracker.thinking().length > 0;
    const pending = thinking ? ((await handle.describe()).raw.pendingActivities ?? []) : [];
    // One progress per poll at least (with retries when any): displays tick between changes.
    if (progresses.length === 0 || thinking) progresses.push(tracker.now(pending));
    for (const progress of progresses) delivery.deliver(() => options.onProgress(progress));
  };
  const watch = startPollWatch(poll, options.pollMs ?? 400);
  return {
    async stop() {
      await watch.stop();
      await lastRead(poll);
    },
  };
}

/** How long `stop()` waits for its last read (a query to a session no worker serves would wait longer). */
const LAST_READ_MS = 5_000;

/**
 * One more poll after the watch stopped, so what was logged since the last one (a round's end) is
 * still delivered; given up after LAST_READ_MS. Rethrows the callback's error.
 */
async function lastRead(poll: (delivery: PollDelivery) => Promise<void>): Promise<void> {
  let open = true;
  let failed: { error: unknown } | undefined;
  const read = poll({
    deliver(callback) {
      if (!open || failed) return;
      try {
        callback();
      } catch (error) {
        failed = { error };
      }
    },
  }).catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([read, new Promise<void>((resolve) => (timer = setTimeout(resolve, LAST_READ_MS)))]);
  clearTimeout(timer);
  open = false;
  if (failed) throw failed.error;
}
