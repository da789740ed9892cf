import { temporal } from '@temporalio/proto';
import { sendHumanMessage } from '../../client/api/council';
import { CouncilUserError } from '../../common/userError';
import { useMockHarness } from '../helpers/mockHarness';
import { startHandPolledRun } from './support/handPolledRun';

// The server's abort of an update whose workflow task failed, on the dev server. Under local calls,
// queries and an update at once the SDK's core once completed a task with the acceptance of an
// update the server had dropped (docs/performance.md, "Local model calls"), and the caller got
// "Unable to perform workflow execution update due to unexpected workflow task failure". This test
// polls the run's workflow tasks itself and sends that same completion for the update's first
// task; the second time the update comes, it rejects it, so the caller's error says which one it got.

const REQUEST = 'type.googleapis.com/temporal.api.update.v1.Request';
const REFUSAL = 'refused by the hand-made worker, the second time it was asked';

type PolledTask = temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse;
type Completion = temporal.api.workflowservice.v1.IRespondWorkflowTaskCompletedRequest;

/** The completion the hand-made worker sends for a task: what core sent, then a refusal. */
function answer(task: PolledTask, updatesSeen: number): Partial<Completion> {
  const request = task.messages?.find((message) => message.body?.type_url === REQUEST);
  if (!request?.body?.value) return {};
  if (updatesSeen === 1) {
    // An acceptance command whose message is absent: the server fails the task, and aborts the update.
    const messageId = `${request.protocolInstanceId ?? ''}/request/accept`;
    return {
      commands: [
        {
          commandType: temporal.api.enums.v1.CommandType.COMMAND_TYPE_PROTOCOL_MESSAGE,
          protocolMessageCommandAttributes: { messageId },
        },
      ],
    };
  }
  const rejection = temporal.api.update.v1.Rejection.encode({
    rejectedRequestMessageId: request.id,
    rejectedRequestSequencingEventId: request.eventId,
    rejectedRequest: temporal.api.update.v1.Request.decode(request.body.value),
    failure: { message: REFUSAL, applicationFailureInfo: { type: 'InvalidRequest', nonRetryable: true } },
  }).finish();
  const body = { type_url: 'type.googleapis.com/temporal.api.update.v1.Rejection', value: rejection };
  return {
    messages: [
      {
        id: `${request.protocolInstanceId ?? ''}/reject`,
        protocolInstanceId: request.protocolInstanceId,
        body,
      },
    ],
  };
}

describe('an update aborted by a failed workflow task', () => {
  const bench = useMockHarness('update-task-failure', () => undefined);

  it('is asked again under the same id', async () => {
    const run = await startHandPolledRun(bench.harness.client, 'task-failure');
    const { client, handle, sent } = run;
    let updatesSeen = 0;
    run.poll('a worker whose first acceptance is refused', 12, async (task, respond) => {
      if (task.messages?.some((message) => message.body?.type_url === REQUEST)) updatesSeen += 1;
      // The refused acceptance is an InvalidArgument answer: the task failed, as it did for core.
      await respond(answer(task, updatesSeen)).catch(() => undefined);
    });

    const error: unknown = await sendHumanMessage(client, handle.workflowId, { content: 'Hello?' }).catch(
      (e: unknown) => e,
    );
    await run.finish();
    expect(sent).toHaveLength(2);
    expect(new Set(sent).size).toBe(1);
    expect(error).toBeInstanceOf(CouncilUserError);
    expect((error as Error).message).toContain(REFUSAL);
  });
});
