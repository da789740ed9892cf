import type { Client } from '@temporalio/client';
import { waitFor } from './wait';

/**
 * The id of a run schedule `scheduleId` started and `seen` does not hold, once visibility lists one
 * (a trigger's run is listed a moment after it starts): the run a test just triggered.
 */
export async function newScheduledRun(
  client: Client,
  scheduleId: string,
  seen: readonly string[] = [],
): Promise<string> {
  let found = '';
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
  return found;
}
