import { readFileSync } from 'node:fs';
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { testEnvironment } from './testEnv';

type TaskFailure = temporal.api.history.v1.IWorkflowTaskFailedEventAttributes;

/**
 * Queries the workflow without pause until `done` settles, as a CLI or a Web UI following it would;
 * each failed query goes into `problems`.
 */
export async function queriedUntil<T>(
  problems: string[],
  query: () => Promise<unknown>,
  done: Promise<T>,
): Promise<T> {
  let settled = false;
  const polling = (async () => {
    while (!settled) {
      await query().catch((error: unknown) => {
        problems.push(`query: ${String(error)}`);
      });
    }
  })();
  try {
    return await done;
  } finally {
    settled = true;
    await polling;
  }
}

/**
 * Puts into `problems` each workflow task that failed in the workflow's history (but those `excused`
 * accepts) and a failed replay of that history against the jest run's workflow bundle.
 */
export async function checkHistory(
  problems: string[],
  handle: WorkflowHandle,
  excused: (failed: TaskFailure) => boolean = () => false,
): Promise<void> {
  const history = await handle.fetchHistory();
  for (const event of history.events ?? []) {
    const failed = event.workflowTaskFailedEventAttributes;
    if (failed && !excused(failed))
      problems.push(`${handle.workflowId} task failed: ${failed.failure?.message ?? ''}`);
  }
  const bundle = { code: readFileSync(testEnvironment().bundlePath, 'utf8') };
  await Worker.runReplayHistory({ workflowBundle: bundle }, history, handle.workflowId).catch(
    (error: unknown) => problems.push(`${handle.workflowId} replay: ${String(error)}`),
  );
}
