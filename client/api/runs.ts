import {
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { z } from 'zod';
import { CouncilUserError, RunNotFoundError } from '../../common/userError';
import { lookupIdProblem } from './runIdRule';
import { CLI_MEMO_KEY } from './runRow';

/** Workflow type names, as the worker registers them. */
export const WORKFLOW_TYPES = { session: 'sessionWorkflow', council: 'councilWorkflow' } as const;

/**
 * The error for a run followed as the wrong kind, or undefined when `type` is `wanted`'s: followed as a
 * session, a council never answers the session's queries (and the other way round), so it waited.
 */
export function kindMismatch(
  id: string,
  type: string,
  wanted: 'session' | 'council',
): CouncilUserError | undefined {
  if (type === WORKFLOW_TYPES[wanted]) return undefined;
  if (type === WORKFLOW_TYPES.session) {
    return new CouncilUserError(
      `"${id}" is a session, not a ${wanted}`,
      'follow it with MultiParticipantSession.attach',
    );
  }
  if (type === WORKFLOW_TYPES.council) {
    return new CouncilUserError(`"${id}" is a council, not a ${wanted}`, 'follow it with attachCouncil');
  }
  return new CouncilUserError(`"${id}" is a ${type} workflow, not a council ${wanted}`);
}

/** The kind of run `id` names, or a CouncilUserError when it exists and is another; nothing when none. */
export async function refuseOtherKind(
  client: Client,
  id: string,
  wanted: 'session' | 'council',
): Promise<void> {
  const problem = lookupIdProblem(id);
  if (problem) throw new CouncilUserError(problem, 'see `council list`');
  let type: string;
  try {
    type = (await client.workflow.getHandle(id).describe()).type;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return;
    throw error;
  }
  const mismatch = kindMismatch(id, type, wanted);
  if (mismatch) throw mismatch;
}

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
  const problem = lookupIdProblem(id);
  if (problem) throw new CouncilUserError(problem, 'see `council list`');
  const handle = client.workflow.getHandle(id);
  let description: WorkflowExecutionDescription;
  try {
    description = await handle.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      throw new RunNotFoundError('run', id, 'see `council list`', {
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

/** The error for what a closed run cannot take: `council "ID" is closed (completed)`, then `hint`. */
export function closedRunError(
  kind: 'session' | 'council',
  id: string,
  status: string,
  hint: string,
  options?: ErrorOptions,
): CouncilUserError {
  return new CouncilUserError(`${kind} "${id}" is closed (${status.toLowerCase()})`, hint, options);
}

/** Throws {@link closedRunError} unless `run` was running when it was found. */
export function requireRunning(run: FoundRun, hint: string): void {
  const { status, workflowId } = run.description;
  if (status.name !== 'RUNNING') throw closedRunError(run.kind, workflowId, status.name, hint);
}

/** Refuses a run that is no longer running: a cancel has nothing to do there. */
export function requireCancellable(run: FoundRun): void {
  requireRunning(run, `it has nothing to cancel: see \`council show ${run.description.workflowId}\``);
}

/**
 * Cancels a running session or council (calls in flight are cancelled too) and resolves once its
 * workflow has taken the cancellation, so a listing right after shows it cancelled. A run that is no
 * longer running (as the server says now: `run` may have been found before it ended) is a
 * {@link closedRunError}; nothing is sent. A worker must serve the run for it to end.
 */
export async function cancelRun(run: FoundRun): Promise<void> {
  const id = run.description.workflowId;
  const description = await run.handle.describe().catch((error: unknown) => {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    throw new RunNotFoundError(run.kind, id, 'see `council list`', { cause: error });
  });
  requireCancellable({ ...run, description });
  await run.handle.cancel();
  // The workflow ends as cancelled (its result rejects): what is awaited is that it closed.
  await run.handle.result().catch(() => undefined);
}
