import {
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { z } from 'zod';
import { CouncilUserError } from '../errors';
import { CLI_MEMO_KEY } from '../runRow';
import {
  isSimulatedQueue,
  openRuntime,
  requireWorker,
  type CliRuntime,
  type ConnectionFlags,
} from './runtime';

/** The memo key of the CLI's runs: it lives with the listed-run row, which reads it too. */
export { CLI_MEMO_KEY };

/** What the CLI remembers about a workflow it started as a one-question `run`, for `attach`. */
const cliMemoSchema = z.object({
  origin: z.literal('run'),
  question: z.string(),
});
export type CliMemo = z.infer<typeof cliMemoSchema>;

/** Id of the update that carries a `run`'s question, so `attach` can wait on the same round. */
export { FIRST_ROUND_UPDATE_ID as RUN_UPDATE_ID } from '../oneRoundSession';

/** Workflow type names, as the worker registers them. */
export const WORKFLOW_TYPES = { session: 'sessionWorkflow', council: 'councilWorkflow' } as const;

/** A workflow the CLI found by id, with what it knows about it. */
export interface FoundWorkflow {
  handle: WorkflowHandle;
  description: WorkflowExecutionDescription;
  kind: 'session' | 'council';
  memo: CliMemo | undefined;
}

export { newRunId } from './runId';

/** The session or council with this id, or a one-line error saying there is none. */
export async function findWorkflow(client: Client, id: string): Promise<FoundWorkflow> {
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
  const parsed = cliMemoSchema.safeParse(description.memo?.[CLI_MEMO_KEY]);
  return { handle, description, kind, memo: parsed.success ? parsed.data : undefined };
}

/**
 * The error for a `run --id` whose id is taken. A workflow id names one run for `attach` and `show`,
 * so it is never reused, even once that run has ended: its answers would be handed back, or hidden.
 */
export async function idTaken(client: Client, id: string, cause: unknown): Promise<CouncilUserError> {
  const status = await client.workflow
    .getHandle(id)
    .describe()
    .then(
      (description) => description.status.name,
      () => undefined,
    );
  const hint =
    status === 'RUNNING'
      ? `pick another --id, or follow it with \`council attach ${id}\``
      : `pick another --id, or read it with \`council show ${id}\``;
  const state = status === undefined ? '' : status === 'RUNNING' ? ' (running)' : ' (closed)';
  return new CouncilUserError(`a session or council with id "${id}" already exists${state}`, hint, { cause });
}

/**
 * Makes sure a worker serves this workflow: one in this process on the workflow's own task queue
 * (simulated on a simulated queue), or, against a configured cluster, a worker polling there.
 */
export async function serveWorkflow(runtime: CliRuntime, found: FoundWorkflow): Promise<void> {
  const taskQueue = found.description.taskQueue;
  if (!runtime.inProcessWorker) return requireWorker(runtime, taskQueue);
  await runtime.startWorker({ taskQueue, simulated: isSimulatedQueue(taskQueue) });
}

/**
 * Opens the runtime, finds the session or council `id` and serves it (queries run on a worker, on a
 * closed workflow too: it is replayed), hands both to `use`, and closes the runtime however it ends.
 */
export async function withServedWorkflow(
  flags: ConnectionFlags,
  id: string,
  use: (found: FoundWorkflow, runtime: CliRuntime) => Promise<void>,
): Promise<void> {
  const runtime = await openRuntime(flags);
  try {
    const found = await findWorkflow(runtime.client, id);
    await serveWorkflow(runtime, found);
    await use(found, runtime);
  } finally {
    await runtime.close();
  }
}
