import type { WorkflowHandle } from '@temporalio/client';
import { CouncilUserError } from '../../common/userError';
import { followRun } from './followRun';
import type { RunProgressItem } from './progressPage';

/**
 * Reads every event a run has logged so far (see {@link followRun}, `follow: false`). A closed run
 * whose log could not be read (no worker on its task queue to replay it) is a CouncilUserError: an
 * empty or partial log would pass for the whole one.
 */
export async function readRunLog(
  handle: WorkflowHandle,
  kind: 'session' | 'council',
): Promise<RunProgressItem[]> {
  const items: RunProgressItem[] = [];
  const log = followRun(handle, { kind, follow: false });
  for (let next = await log.next(); ; next = await log.next()) {
    if (!next.done) {
      items.push(next.value);
      continue;
    }
    if (next.value.reason === 'run-closed' && next.value.readFailed !== undefined)
      throw unreadableLog(kind, handle.workflowId, next.value.readFailed);
    return items;
  }
}

/** The error for a closed run's log that could not be read, and how to make it readable. */
export function unreadableLog(kind: 'session' | 'council', id: string, readFailed: string): CouncilUserError {
  return new CouncilUserError(
    `could not read the progress log of closed ${kind} "${id}": ${readFailed}`,
    'a closed run is read by replaying it: run a worker on its task queue (`council worker --task-queue NAME`)',
  );
}
