import { setTimeout as sleep } from 'node:timers/promises';
import type { ScheduleHandle, ScheduleOverlapPolicy } from '@temporalio/client';

/**
 * How long `schedule trigger` waits to name the run it started. A trigger only asks the schedule's
 * own workflow to start one; it starts it a moment later, or not at all (a run still going under
 * `skip`, a second trigger in the same second).
 */
export const TRIGGER_REPORT_MS = 10_000;
const POLL_MS = 200;

/** What the schedule's workflow did with a trigger: the run it started, or why none is named. */
export type TriggerOutcome = { kind: 'started'; runId: string } | { kind: 'skipped' } | { kind: 'unseen' };

/** Triggers the schedule, then watches its recent actions for the run the trigger starts. */
export async function triggerSchedule(
  handle: ScheduleHandle,
  overlap: ScheduleOverlapPolicy,
): Promise<TriggerOutcome> {
  const before = await handle.describe();
  // The schedule keeps its last ten actions: a run not among them before the trigger is its run.
  const known = new Set(before.info.recentActions.map((action) => action.action.workflow.workflowId));
  await handle.trigger(overlap);
  const deadline = Date.now() + TRIGGER_REPORT_MS;
  for (;;) {
    const { info } = await handle.describe();
    const started = info.recentActions
      .map((action) => action.action.workflow.workflowId)
      .find((id) => !known.has(id));
    if (started !== undefined) return { kind: 'started', runId: started };
    if (info.numActionsSkippedOverlap > before.info.numActionsSkippedOverlap) return { kind: 'skipped' };
    if (Date.now() > deadline) return { kind: 'unseen' };
    await sleep(POLL_MS);
  }
}

/** The line `schedule trigger` prints for `outcome`. */
export function triggerLine(id: string, outcome: TriggerOutcome): string {
  if (outcome.kind === 'started') {
    return `Triggered schedule ${id}: run ${outcome.runId} (follow it: council attach ${outcome.runId})`;
  }
  if (outcome.kind === 'skipped') {
    return `Triggered schedule ${id}: skipped, a run of it is still going (without --overlap, the trigger starts one beside it)`;
  }
  return (
    `Triggered schedule ${id}: no run of it started within ${TRIGGER_REPORT_MS / 1000} s (it may wait for ` +
    `a run still going, or a trigger in the same second started it): council schedule describe ${id} lists its runs`
  );
}
