import type { Client } from '@temporalio/client';
import { waitFor } from './wait';

/**
 * The id of a run schedule `scheduleId` started and `seen` does not hold, once visibility lists one
 * (a trigger's run is listed a moment after it starts): the run a test just triggered. When none is
 * listed in time, the error says what the schedule itself reports (CI, 2026-12-07: a trigger's run
 * was not listed for 120 s, and nothing told whether it had started).
 */
export async function newScheduledRun(
  client: Client,
  scheduleId: string,
  seen: readonly string[] = [],
): Promise<string> {
  let found = '';
  try {
    await waitFor(
      `a new run of schedule ${scheduleId} to be listed`,
      async () => {
        for await (const info of client.workflow.list({ query: `TemporalScheduledById = '${scheduleId}'` })) {
          if (!seen.includes(info.workflowId)) found = info.workflowId;
        }
        return found !== '';
      },
      120_000,
      250,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; ${await scheduleReport(client, scheduleId)}`, {
      cause: error,
    });
  }
  return found;
}

/** What the schedule says of its actions, and whether each run it names exists. */
async function scheduleReport(client: Client, scheduleId: string): Promise<string> {
  try {
    const { info, state } = await client.schedule.getHandle(scheduleId).describe();
    const actions = await Promise.all(
      info.recentActions.map(async (action) => {
        const id = action.action.workflow.workflowId;
        const status = await client.workflow
          .getHandle(id)
          .describe()
          .then(
            (run) => run.status.name,
            (error: Error) => error.message,
          );
        return `${id} taken ${action.takenAt.toISOString()} (${status})`;
      }),
    );
    return (
      `the schedule reports ${info.numActionsTaken} action(s) taken, ${info.numActionsSkippedOverlap} ` +
      `skipped for overlap, paused ${state.paused}, recent: [${actions.join('; ')}]`
    );
  } catch (error) {
    return `describing the schedule failed: ${(error as Error).message}`;
  }
}
