import { condition } from '@temporalio/workflow';
import { patched } from './patches';

/** When a round of calls made at once may close before every call has ended. */
export interface QuorumRule {
  /** Close once this many calls have answered. */
  quorum?: number;
  /** Close this long after the round began: a workflow timer, durable across restarts. */
  deadlineMs?: number;
}

/**
 * Patch id of the change that lets a deadline count the answers that reached the workflow in the
 * same task as its timer. A deadline on older histories closed with the counts it had.
 */
export const DEADLINE_SAME_TASK_PATCH = 'deadline-counts-same-task-answers';

/** A round closed before every call ended: why, which calls are still running, and their end. */
export interface EarlyClose {
  reason: 'quorum' | 'deadline';
  /** Words for a status line or a transcript note. */
  why: string;
  /** Indexes (into the calls given) of the calls still running: they will end late. */
  pending: number[];
  /** Resolves once every late call has ended. */
  settled: Promise<void>;
}

/**
 * Waits for a round of calls made at once (each resolving to whether it answered): until every one
 * has ended, or earlier once `quorum` have answered or at `deadlineMs` (whichever comes first).
 * Resolves undefined when every call ended, else how the round closed early. Late calls are not
 * cancelled: the caller waits for `settled` before it moves on. Councils and sessions share it, so
 * both close their rounds with the same commands (one condition, with a timer only for a deadline).
 */
export async function closeAtQuorum(
  calls: ReadonlyArray<Promise<boolean>>,
  { quorum, deadlineMs }: QuorumRule,
): Promise<EarlyClose | undefined> {
  const ended = new Set<number>();
  let answered = 0;
  // A call rejects only when the run is cancelled: the wait below throws that cancellation, and the
  // rejection is handled here so it does not fail the workflow task as unhandled.
  const counted = calls.map((call, index) =>
    call.then(
      (ok) => {
        ended.add(index);
        if (ok) answered += 1;
      },
      () => undefined,
    ),
  );
  const closed = () => ended.size === calls.length || (quorum !== undefined && answered >= quorum);
  // Resolves false when the deadline's timer fires first; without a deadline no timer is started.
  const inTime =
    deadlineMs === undefined ? (await condition(closed), true) : await condition(closed, deadlineMs);
  // A task that brings answers and the deadline's timer at once (no worker ran tasks in between)
  // wakes this wait before the answers have reached `ended`: a turn's chain of promises is longer
  // than a timer's. Conditions are checked only once the task's promises have settled, so waiting
  // for one counts them, as answers given before the deadline.
  if (!inTime && patched(DEADLINE_SAME_TASK_PATCH)) await condition(() => true);
  if (ended.size === calls.length) return undefined;
  const pending = calls.map((_, index) => index).filter((index) => !ended.has(index));
  return {
    reason: inTime ? 'quorum' : 'deadline',
    why: inTime ? `a quorum of ${quorum} answered` : `the deadline of ${deadlineMs} ms passed`,
    pending,
    settled: Promise.all(counted).then(() => undefined),
  };
}
