import { setTimeout as sleep } from 'node:timers/promises';
import type { ScheduleDescription, ScheduleHandle, ScheduleOverlapPolicy } from '@temporalio/client';
import { printable } from '../../common/printable';

/**
 * How long `schedule trigger` waits to name the run it started. A trigger only asks the schedule's
 * own workflow to start one; it starts it a moment later, later still on a busy server, or not at
 * all (a run still going under `skip`).
 */
export const TRIGGER_REPORT_MS = 10_000;
const POLL_MS = 200;

/** What the schedule did after a trigger: the runs it started, a skip, or nothing seen in time. */
export type TriggerOutcome =
  { kind: 'started'; runIds: string[] } | { kind: 'skipped' } | { kind: 'unseen'; why?: string };

/**
 * Triggers the schedule, then watches its recent actions for the run the trigger starts. A run is
 * known by its id and first run id: a trigger in the same second as an earlier run that has closed
 * starts a new run under the same id. The watch is a courtesy: once the trigger is sent, a failed
 * look is reported, never an error (a user who ran the command again would start a second run).
 */
export async function triggerSchedule(
  handle: ScheduleHandle,
  overlap: ScheduleOverlapPolicy,
): Promise<TriggerOutcome> {
  const before = await handle.describe();
  const known = new Set(runsOf(before).map((run) => run.key));
  await handle.trigger(overlap);
  const deadline = Date.now() + TRIGGER_REPORT_MS;
  try {
    for (;;) {
      const now = await handle.describe();
      const started = runsOf(now).filter((run) => !known.has(run.key));
      if (started.length > 0) return { kind: 'started', runIds: started.map((run) => run.workflowId) };
      if (now.info.numActionsSkippedOverlap > before.info.numActionsSkippedOverlap)
        return { kind: 'skipped' };
      if (Date.now() > deadline) return { kind: 'unseen' };
      await sleep(POLL_MS);
    }
  } catch (error) {
    return { kind: 'unseen', why: error instanceof Error ? error.message : String(error) };
  }
}

/** The schedule's last ten runs, each keyed by its workflow id and first run id. */
function runsOf(description: ScheduleDescription): Array<{ key: string; workflowId: string }> {
  return description.info.recentActions.map(({ action: { workflow } }) => ({
    key: JSON.stringify([workflow.workflowId, workflow.firstExecutionRunId]),
    workflowId: workflow.workflowId,
  }));
}

/** The line `schedule trigger` prints for `outcome`; ids made outside council are shown printable. */
export function triggerLine(id: string, outcome: TriggerOutcome): string {
  if (outcome.kind === 'started') {
    const [runId, ...more] = outcome.runIds;
    if (more.length > 0)
      return printable(`Triggered schedule ${id}: runs started since: ${outcome.runIds.join(', ')}`);
    return printable(`Triggered schedule ${id}: run ${runId} (follow it: council attach ${runId})`);
  }
  if (outcome.kind === 'skipped') {
    return printable(
      `Triggered schedule ${id}: skipped, a run of it is still going (without --overlap, the trigger starts one beside it)`,
    );
  }
  const why = outcome.why === undefined ? '' : ` (watching it failed: ${outcome.why})`;
  return printable(
    `Triggered schedule ${id}: no run of it showed within ${TRIGGER_REPORT_MS / 1000} s${why}; it may still ` +
      `start, or wait for a run still going: council schedule describe ${id} lists its runs`,
  );
}
