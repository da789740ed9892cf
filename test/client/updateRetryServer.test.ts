import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import { sendHumanMessage } from '../../client/api/council';
import { CouncilUserError } from '../../common/userError';
import { UPDATE_ATTEMPTS } from '../../client/api/updateRetry';
import { useMockHarness } from '../helpers/mockHarness';
import { uniqueTaskQueue } from '../helpers/testEnv';

// The server's own rejection "wasn't processed by worker", on the dev server. The SDK's worker always
// answers an update it was given (it rejects one it has no handler for), so this test polls the
// run's workflow tasks itself, through the server's API, and completes each without answering the
// update in it, as a worker shutting down does: the server then rejects the update as UnprocessedUpdate.

describe('a council update the server rejected as unprocessed by a worker', () => {
  const bench = useMockHarness('update-unprocessed', () => undefined);

  it('is asked again under the same id, then fails saying why', async () => {
    const { connection, options } = bench.harness.client;
    const namespace = options.namespace;
    const sent: Array<string | undefined> = [];
    const counter: WorkflowClientInterceptor = {
      async startUpdate(input, next) {
        sent.push(input.options.updateId);
        return next(input);
      },
    };
    const client = new Client({ connection, namespace, interceptors: { workflow: [counter] } });
    // No worker polls this queue: its workflow tasks are the hand-made poller's.
    const taskQueue = uniqueTaskQueue('unprocessed');
    const handle = await client.workflow.start('councilWorkflow', {
      taskQueue,
      workflowId: `unprocessed-${Date.now()}`,
      args: [],
    });
    const polling = new AbortController();
    const identity = 'a worker that answers no update';
    // Every task it is given (the start's, one per attempt of the update), completed with nothing in it.
    const poller = (async () => {
      for (let poll = 0; poll < 3 * (UPDATE_ATTEMPTS + 1) && !polling.signal.aborted; poll += 1) {
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
        await connection.workflowService.respondWorkflowTaskCompleted({
          namespace,
          taskToken: task.taskToken,
          identity,
        });
      }
    })().catch(() => undefined);

    const error: unknown = await sendHumanMessage(client, handle.workflowId, { content: 'Hello?' }).catch(
      (e: unknown) => e,
    );
    polling.abort();
    await poller;
    await handle.terminate('test over');
    expect(sent).toHaveLength(UPDATE_ATTEMPTS);
    expect(new Set(sent).size).toBe(1);
    expect(error).toBeInstanceOf(CouncilUserError);
    expect((error as Error).message).toContain("wasn't processed by worker");
  });
});
