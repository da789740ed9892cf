import { Client, type WorkflowClientInterceptor, type WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { uniqueTaskQueue } from '../../helpers/testEnv';

type PolledTask = temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse;
type Completion = temporal.api.workflowservice.v1.IRespondWorkflowTaskCompletedRequest;

/** What a hand-made worker does with one workflow task: `respond` completes it with `completion` added. */
export type TaskAnswer = (
  task: PolledTask,
  respond: (completion?: Partial<Completion>) => Promise<unknown>,
) => Promise<unknown>;

/** A council run whose workflow tasks no worker polls, and the client that started it. */
export interface HandPolledRun {
  /** A client on the harness's connection that records the id of every update it starts. */
  client: Client;
  handle: WorkflowHandle;
  /** The update id of each update the client started, in order (the same id when asked again). */
  sent: Array<string | undefined>;
  /**
   * Polls the run's workflow tasks as `identity`, at most `maxPolls` times, handing each task to
   * `answer`, until {@link HandPolledRun.finish} stops it.
   */
  poll(identity: string, maxPolls: number, answer: TaskAnswer): void;
  /** Stops the poller, waits for it, and terminates the run. */
  finish(): Promise<void>;
}

/**
 * Starts a `councilWorkflow` on a task queue of its own (`label` names it) that no worker polls: the
 * test polls and completes its workflow tasks itself, through the server's API, as a worker would.
 */
export async function startHandPolledRun(harnessClient: Client, label: string): Promise<HandPolledRun> {
  const { connection, options } = harnessClient;
  const namespace = options.namespace;
  const sent: Array<string | undefined> = [];
  const counter: WorkflowClientInterceptor = {
    async startUpdate(input, next) {
      sent.push(input.options.updateId);
      return next(input);
    },
  };
  const client = new Client({ connection, namespace, interceptors: { workflow: [counter] } });
  const taskQueue = uniqueTaskQueue(label);
  const handle = await client.workflow.start('councilWorkflow', {
    taskQueue,
    workflowId: `${label}-${Date.now()}`,
    args: [],
  });
  const polling = new AbortController();
  let poller: Promise<unknown> = Promise.resolve();
  return {
    client,
    handle,
    sent,
    poll(identity, maxPolls, answer) {
      poller = (async () => {
        for (let poll = 0; poll < maxPolls && !polling.signal.aborted; poll += 1) {
          // A long poll needs a deadline: the server refuses one without.
          const task = await connection.withAbortSignal(polling.signal, () =>
            connection.withDeadline(Date.now() + 20_000, () =>
              connection.workflowService.pollWorkflowTaskQueue({
                namespace,
                taskQueue: { name: taskQueue },
                identity,
              }),
            ),
          );
          if (!task.taskToken?.length) continue;
          const taskToken = task.taskToken;
          await answer(task, (completion = {}) =>
            connection.workflowService.respondWorkflowTaskCompleted({
              namespace,
              taskToken,
              identity,
              ...completion,
            }),
          );
        }
      })().catch(() => undefined);
    },
    async finish() {
      polling.abort();
      await poller;
      await handle.terminate('test over');
    },
  };
}
