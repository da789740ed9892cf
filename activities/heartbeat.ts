import { Context } from '@temporalio/activity';
import { STREAM_LIMITS } from '../common/stream';

/** How often the activity heartbeats while no token has arrived yet. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1000;

/** Heartbeats of one activity attempt; see {@link startHeartbeats}. */
export interface Heartbeats {
  /** Call for every streamed chunk: heartbeats (at most every `beatMs`), and ends the timer at the first one. */
  onChunk(): void;
  /** Stops the timers; call when the attempt ends, however it ends. */
  stop(): void;
}

/** What every heartbeat of an attempt carries, read when it is sent. */
export type HeartbeatDetails = () => unknown;

/**
 * Heartbeats on a timer until the first chunk, then as chunks arrive, at most one per `beatMs`.
 *
 * The timer covers the wait for the first token, which can legitimately be long (a large prompt, a
 * reasoning model) and keeps cancellation flowing: the server only tells an activity it was cancelled
 * in the reply to a heartbeat. Once tokens flow, only tokens heartbeat, so a stream that stalls
 * mid-answer misses the workflow's heartbeatTimeout and the attempt is retried. A non-streamed call
 * has no chunks, so its timer runs to the end and the attempt timeout bounds it. Because the timer
 * beats while nothing has come, a provider that never begins its response is caught by the
 * participant's first-byte timeout (see `awaitFirstByte` in providers/common.ts), not here.
 *
 * A local activity (`callAs: 'local'`) does not heartbeat: it has no heartbeat timeout, and its
 * text is seen by no one until it ends.
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
    trailing = undefined;
    lastBeatMs = Date.now();
    context.heartbeat(details());
  };
  let timer: NodeJS.Timeout | undefined = setInterval(beat, period);
  const stopTimer = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };
  beat();
  return {
    onChunk() {
      stopTimer();
      if (queued || trailing !== undefined) return;
      const wait = lastBeatMs + minGap - Date.now();
      if (wait > 0) trailing = setTimeout(beat, wait);
      else {
        queued = true;
        queueMicrotask(beat);
      }
    },
    stop() {
      stopTimer();
      if (trailing !== undefined) clearTimeout(trailing);
      trailing = undefined;
      // A chunk's beat may still sit in the microtask queue: it must not beat for an ended attempt.
      stopped = true;
    },
  };
}
