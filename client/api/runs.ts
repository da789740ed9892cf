import {
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { z } from 'zod';
import { CouncilUserError } from '../../common/userError';
import { CLI_MEMO_KEY } from './runRow';

/** Workflow type names, as the worker registers them. */
export const WORKFLOW_TYPES = { session: 'sessionWorkflow', council: 'councilWorkflow' } as const;

/** What `council run` records with a one-question session it starts, so `attach` can ask it again. */
const runMemoSchema = z.object({
  origin: z.literal('run'),
  question: z.string(),
});
export type RunMemo = z.infer<typeof runMemoSchema>;

/** A session or council found by its id, with what its workflow says of it. */
export interface FoundRun {
  handle: WorkflowHandle;
  /** The workflow's description when it was found: its status, task queue, start and close times. */
  description: WorkflowExecutionDescription;
  kind: 'session' | 'council';
  /** Set on a session `council run` started (under `CLI_MEMO_KEY`): the question it asks. */
  memo: RunMemo | undefined;
}

/**
 * The session or council with this id, whether running or closed. An id that names no workflow, or
 * a workflow of another type, is a CouncilUserError saying so.
 */
export async function findRun(client: Client, id: string): Promise<FoundRun> {
  const handle = client.workflow.getHandle(id);
  let description: WorkflowExecutionDescription;
  try {
    description = await handle.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      throw new CouncilUserError(`no session or council with id "${id}"`, 'see `council list`', {
        cause: error,
      });
    }
    throw error;
  }
  const kind = description.type === WORKFLOW_TYPES.council ? 'council' : 'session';
  if (description.type !== WORKFLOW_TYPES.council && description.type !== WORKFLOW_TYPES.session) {
    throw new CouncilUserError(`"${id}" is a ${description.type} workflow, not a council session or council`);
  }
  const parsed = runMemoSchema.safeParse(description.memo?.[CLI_MEMO_KEY]);
  return { handle, description, kind, memo: parsed.success ? parsed.data : undefined };
}

/**
 * Cancels a running session or council (calls in flight are cancelled too) and resolves once its
 * workflow has taken the cancellation, so a listing right after shows it cancelled. A run that is no
 * longer running (as of `run.description`) is a CouncilUserError naming its status; nothing is sent.
 * A worker must serve the run for it to end.
 */
export async function cancelRun(run: FoundRun): Promise<void> {
  const status = run.description.status.name;
  if (status !== 'RUNNING') {
    throw new CouncilUserError(`"${run.description.workflowId}" is not running (${status.toLowerCase()})`);
  }
  await run.handle.cancel();
  // The workflow ends as cancelled (its result rejects): what is awaited is that it closed.
  await run.handle.result().catch(() => undefined);
}
