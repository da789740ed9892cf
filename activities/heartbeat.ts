import { Context } from '@temporalio/activity';

/** How often the activity heartbeats while no token has arrived yet. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1000;

/** Heartbeats of one activity attempt; see {@link startHeartbeats}. */
export interface Heartbeats {
  /** Call for every streamed chunk: heartbeats, and ends the timer at the first one. */
  onChunk(): void;
  /** Stops the timer; call when the attempt ends, however it ends. */
  stop(): void;
}

/**
 * Heartbeats on a timer until the first chunk, then once per chunk.
 *
 * The timer covers the wait for the first token, which can legitimately be long (a large prompt, a
 * reasoning model) and keeps cancellation flowing: the server only tells an activity it was cancelled
 * in the reply to a heartbeat. Once tokens flow, only tokens heartbeat, so a stream that stalls
 * mid-answer misses the workflow's heartbeatTimeout and the attempt is retried. A non-streamed call
 * has no chunks, so its timer runs to the end and the attempt timeout bounds it. Because the timer
 * beats while nothing has come, a provider that never begins its response is caught by the
 * participant's first-byte timeout (see `awaitFirstByte` in providers/common.ts), not here.
 */
export function startHeartbeats(intervalMs: number = DEFAULT_HEARTBEAT_INTERVAL_MS): Heartbeats {
  const context = Context.current();
  const heartbeatTimeoutMs = context.info.heartbeatTimeoutMs;
  // A beat every interval would be too rare for a short heartbeatTimeout: keep three per timeout.
  const period = heartbeatTimeoutMs ? Math.min(intervalMs, Math.max(10, heartbeatTimeoutMs / 3)) : intervalMs;
  let timer: NodeJS.Timeout | undefined = setInterval(() => context.heartbeat(), period);
  const stopTimer = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };
  context.heartbeat();
  return {
    onChunk() {
      stopTimer();
      context.heartbeat();
    },
    stop: stopTimer,
  };
}
