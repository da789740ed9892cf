import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { SessionIdTakenError, type CouncilUserError } from '../../common/userError';
import { CLI_MEMO_KEY } from '../api/runRow';
import { findRun, type FoundRun } from '../api/runs';
import { runCallsRefusal } from './runKeys';
import {
  isSimulatedQueue,
  openRuntime,
  requireWorker,
  type CliRuntime,
  type ConnectionFlags,
} from '../runtime/commandRuntime';

/** The memo key of the CLI's runs: it lives with the listed-run row, which reads it too. */
export { CLI_MEMO_KEY };

/** Id of the update that carries a `run`'s question, so `attach` can wait on the same round. */
export { FIRST_ROUND_UPDATE_ID as RUN_UPDATE_ID } from '../api/oneRoundSession';

export { checkedRunId, newRunId } from './runId';

/**
 * What a command that starts a run under `id` throws for `error`: a start refused because the id is
 * taken becomes the CLI's own error, naming `--id` and what to do with that run; others stay as they are.
 * A workflow id names one run for `attach` and `show`, so it is never reused, even once that run has
 * ended: its answers would be handed back, or hidden.
 */
export async function asIdTaken(client: Client, id: string, error: unknown): Promise<unknown> {
  if (!(error instanceof Error && error.cause instanceof WorkflowExecutionAlreadyStartedError)) return error;
  return idTaken(client, id, error);
}

/** The error for a taken `--id`, saying whether that run goes on or has ended. */
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
  return new SessionIdTakenError(`a session or council with id "${id}" already exists${state}`, hint, {
    cause,
  });
}

/**
 * Whether a command lets a run's model calls out: `none`; `checked`, once this process has their
 * keys, else refused; `if-keys`, once it has them, else only the workflow is served (`council ui`'s
 * view of a run, which a page polls).
 */
export type RunCalls = 'none' | 'checked' | 'if-keys';

/**
 * Makes sure a worker serves this workflow: one in this process on the workflow's own task queue
 * (simulated on a simulated queue), or, against a configured cluster, a worker polling there. A
 * running run's calls are served here only as `calls` says (see {@link runCallsRefusal}); a command that
 * reads or controls a run and exits (`show`, `cancel`, `skip`, `budget`) serves none of them. Calls
 * made as local activities (`callAs: local`) run in the workflow's tasks, served either way. Once this
 * process serves a queue's calls it serves every run's there, as any worker on that queue does.
 */
export async function serveWorkflow(
  runtime: CliRuntime,
  found: FoundRun,
  calls: RunCalls = 'checked',
): Promise<void> {
  const taskQueue = found.description.taskQueue;
  if (!runtime.inProcessWorker) return requireWorker(runtime, taskQueue);
  const simulated = isSimulatedQueue(taskQueue);
  await runtime.startWorker({ taskQueue, simulated, serves: 'workflows' });
  if (calls === 'none' || found.description.status.name !== 'RUNNING') return;
  if (runtime.servesCalls(taskQueue)) return;
  const refusal = simulated ? undefined : await runCallsRefusal(found, process.env);
  if (refusal && calls === 'if-keys') return;
  if (refusal) throw refusal;
  await runtime.startWorker({ taskQueue, simulated, serves: 'calls' });
}

/**
 * Opens the runtime, finds the session or council `id` and serves it (queries run on a worker, on a
 * closed workflow too: it is replayed), hands both to `use`, and closes the runtime however it ends.
 * `check` throws when the command cannot work on the run it found: before a worker starts for it.
 */
export async function withServedWorkflow(
  flags: ConnectionFlags,
  id: string,
  use: (found: FoundRun, runtime: CliRuntime) => Promise<void>,
  check?: (found: FoundRun) => void | Promise<void>,
  calls: RunCalls = 'checked',
): Promise<void> {
  const runtime = await openRuntime(flags);
  try {
    const found = await findRun(runtime.client, id);
    await check?.(found);
    await serveWorkflow(runtime, found, calls);
    await use(found, runtime);
  } finally {
    await runtime.close();
  }
}
