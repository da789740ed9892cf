import { z } from 'zod';
import { addProblem } from './validation';

/**
 * How a model call is made: `activity` (the default) is a regular activity, scheduled through the
 * server, heartbeating and streaming its tokens to watchers; `local` is a local activity, run by the
 * worker that runs the workflow task and recorded as one marker when it ends. A local call skips the
 * server's activity round trips (issue 20 target 5, docs/performance.md), but it shows no tokens while
 * it runs, holds its workflow task open (updates, signals and timers of the run wait for it, or for
 * the task's heartbeat), and after a worker crash it is made again from the start.
 */
export const CALL_AS = ['activity', 'local'] as const;
export type CallAs = (typeof CALL_AS)[number];

/** Bounds of a local call: it must be short, since its run waits on it. */
export const LOCAL_CALL_LIMITS = {
  /**
   * The longest attempt of a local call, and its default (a regular call's is 5 minutes): past the
   * workflow task timeout (10 s) the worker heartbeats the task to keep it, so a minute still works,
   * but a call that long gains nothing from skipping ~40 ms of round trips.
   */
  maxAttemptMs: 60_000,
} as const;

/** The `callAs` field of every model call's settings. */
export const callAsSchema = z
  .enum(CALL_AS, { error: () => `callAs must be one of ${CALL_AS.join(', ')}` })
  .optional();

/** The settings of a call that say how it is made. */
export interface CallMode {
  callAs?: CallAs;
  timeouts?: { attemptMs?: number; heartbeatMs?: number };
}

/** What a config asks of a call that cannot be made as a local one, each as a user error. */
export function localCallProblems(settings: CallMode): string[] {
  if (settings.callAs !== 'local') return [];
  const problems: string[] = [];
  if (settings.timeouts?.heartbeatMs !== undefined) {
    problems.push(
      'timeouts.heartbeatMs has no effect with callAs: local (a local call does not heartbeat): remove it, or drop callAs',
    );
  }
  const attemptMs = settings.timeouts?.attemptMs;
  if (attemptMs !== undefined && attemptMs > LOCAL_CALL_LIMITS.maxAttemptMs) {
    problems.push(
      `timeouts.attemptMs is ${attemptMs} ms, over the ${LOCAL_CALL_LIMITS.maxAttemptMs} ms a local call may take: ` +
        'lower it, or drop callAs: local for this long a call (a regular activity heartbeats and streams)',
    );
  }
  return problems;
}

/** Adds {@link localCallProblems} to a zod object's issues, at the `callAs` path. */
export function refineLocalCall(settings: CallMode, ctx: z.RefinementCtx): void {
  for (const message of localCallProblems(settings)) addProblem(ctx, ['callAs'], message);
}

/**
 * The line `council run` prints when some callers of a config are local: their answers appear whole,
 * since a local call has no heartbeat to carry streamed text. Undefined when none is.
 */
export function localCallNote(callers: ReadonlyArray<{ name: string; callAs?: CallAs }>): string | undefined {
  const names = callers.filter((caller) => caller.callAs === 'local').map((caller) => caller.name);
  if (names.length === 0) return undefined;
  const called = names.length === 1 ? 'is called as a local activity' : 'are called as local activities';
  return `Note: ${names.join(', ')} ${called} (callAs: local): no streamed tokens, each answer appears whole when its call ends`;
}

/**
 * A local call holds its workflow task open, so a timer started with it (a round's `deadlineMs`, a
 * hedge's `afterMs`) reaches the server only once the call ends, and a quorum cannot close the round
 * while one runs: measured, a 1 s deadline closed a round of a 6 s local call after 6.1 s. Such
 * configs are refused, at the `callAs` of each local caller.
 */
export function localCallTimerProblems(
  callers: ReadonlyArray<{ name: string; callAs?: CallAs; hedged?: boolean }>,
  round: { quorum?: number; deadlineMs?: number },
): Array<{ index: number; message: string }> {
  const timed = round.quorum !== undefined || round.deadlineMs !== undefined;
  return callers.flatMap((caller, index) => {
    if (caller.callAs !== 'local' || (!timed && !caller.hedged)) return [];
    const what = caller.hedged ? 'a hedge' : "the round's quorum or deadlineMs";
    const message =
      `${caller.name} is called as a local activity (callAs: local), which ${what} cannot cut short: ` +
      `the run waits on a local call before its timers run. Drop callAs: local, or ${caller.hedged ? 'the hedge' : 'quorum and deadlineMs'}`;
    return [{ index, message }];
  });
}
