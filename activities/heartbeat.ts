import { Context } from '@temporalio/activity';
import { STREAM_LIMITS } from '../common/stream';

/** How often the activity heartbeats on its timer, tokens or not. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1000;

/** Heartbeats of one activity attempt; see {@link startHeartbeats}. */
export interface Heartbeats {
  /** Call for every streamed chunk: heartbeats at most every `beatMs`, so watchers see the text grow. */
  onChunk(): void;
  /** Stops the timers; call when the attempt ends, however it ends. */
  stop(): void;
}

/** What every heartbeat of an attempt carries, read when it is sent. */
export type HeartbeatDetails = () => unknown;

/**
 * Heartbeats on a timer for the whole attempt, and as chunks arrive, at most one per `beatMs`.
 *
 * The timer says the worker is alive, and nothing else: it beats while the call waits for the first
 * token (a large prompt, a reasoning model), while the history's tokens are counted (the count
 * yields, activities/trimHistory.ts) and through a stream's pauses. So the workflow's heartbeat
 * timeout catches a dead worker (or an event loop blocked that long) and can be short, and a model's
 * silence never costs a retry. The provider's silences have their own bounds in providers/common.ts:
 * the first-byte timeout for a response that never begins, the stream idle timeout for one that
 * stops mid-answer. The timer also keeps cancellation flowing: the server only tells an activity it
 * was cancelled in the reply to a heartbeat.
 *
 * A local activity (`callAs: 'local'`) does not heartbeat: it has no heartbeat timeout, and its
 * text is seen by no one until it ends.
 *
 * A first attempt beats first at the timer's first interval or its first chunk, not at once: every beat
 * that reaches the server is a write of the activity's state there (and an action Temporal Cloud
 * bills), and a beat at the start said nothing the activity's start had not (measured: ~10% of the
 * CPU per turn of 100 concurrent sessions, docs/performance.md). A retry beats at once.
 *
 * Every beat carries `details()` (the text so far, activities/progress.ts): the server keeps the
 * latest beat's details, so a beat without them would erase what watchers read. A chunk's beat is
 * sent in a microtask, after the adapter has taken in the chunk's text; chunks closer than `beatMs`
 * share one beat, sent when `beatMs` has passed, so the last text always goes out.
 */
export function startHeartbeats(
  intervalMs: number = DEFAULT_HEARTBEAT_INTERVAL_MS,
  details: HeartbeatDetails = () => undefined,
  beatMs: number = STREAM_LIMITS.beatMs,
): Heartbeats {
  const context = Context.current();
  // A local activity has no heartbeat to send: the worker drops its beats, and no watcher reads them.
  if (context.info.isLocal) return { onChunk() {}, stop() {} };
  const heartbeatTimeoutMs = context.info.heartbeatTimeoutMs;
  // A beat every interval would be too rare for a short heartbeatTimeout: keep three per timeout.
  const period = heartbeatTimeoutMs ? Math.min(intervalMs, Math.max(10, heartbeatTimeoutMs / 3)) : intervalMs;
  const minGap = Math.min(beatMs, period);
  let lastBeatMs = 0;
  let queued = false;
  let stopped = false;
  let trailing: NodeJS.Timeout | undefined;
  const beat = () => {
    if (stopped) return;
    queued = false;
    // A timer beat sends the text a pending chunk beat would have: that one is not needed.
    clearTimeout(trailing);
    trailing = undefined;
    lastBeatMs = Date.now();
    context.heartbeat(details());
  };
  const timer = setInterval(beat, period);
  // A retry's beat replaces the failed attempt's text at once for whoever reads the details.
  if (context.info.attempt > 1) beat();
  return {
    onChunk() {
      if (queued || trailing !== undefined) return;
      const wait = lastBeatMs + minGap - Date.now();
      if (wait > 0) trailing = setTimeout(beat, wait);
      else {
        queued = true;
        queueMicrotask(beat);
      }
    },
    stop() {
      clearInterval(timer);
      if (trailing !== undefined) clearTimeout(trailing);
      trailing = undefined;
      // A chunk's beat may still sit in the microtask queue: it must not beat for an ended attempt.
      stopped = true;
    },
  };
}
