import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { completedActivities, pendingActivities, STARTED } from '../../durability/support/temporal';
import { speakerOf } from '../../helpers/mockLlm';

type History = temporal.api.history.v1.IHistory;
const ACTIVITY_QUEUE = temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY;

/** The workers a history names: who completed each activity, and who completed each workflow task. */
export function workerIdentities(history: History): { activities: string[]; workflowTasks: string[] } {
  const activities = completedActivities(history).completed.map((activity) => activity.identity ?? '');
  const workflowTasks = (history.events ?? []).flatMap((event) => {
    const identity = event.workflowTaskCompletedEventAttributes?.identity;
    return identity ? [identity] : [];
  });
  return { activities, workflowTasks };
}

/** The identities of the workers polling the task queue for activities, as the server sees them. */
export async function activityPollers(client: Client, taskQueue: string): Promise<string[]> {
  const queue = await client.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: taskQueue },
    taskQueueType: ACTIVITY_QUEUE,
  });
  return (queue.pollers ?? []).map((poller) => poller.identity ?? '');
}

/** The encoded size of a workflow's history and the history itself. */
export async function historyOf(
  client: Client,
  workflowId: string,
): Promise<{ history: History; bytes: Buffer }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return { history, bytes: Buffer.from(temporal.api.history.v1.History.encode(history).finish()) };
}

/**
 * The speakers whose calls are in flight on the worker `identity`, over the given workflows: the
 * server's pending activities say which worker holds a call, the scheduled event's input (an LLM
 * request, inline JSON) says whose call it is.
 */
export async function speakersInFlightOn(
  client: Client,
  workflowIds: string[],
  identity: string,
): Promise<string[]> {
  const speakers: string[] = [];
  for (const workflowId of workflowIds) {
    const handle = client.workflow.getHandle(workflowId);
    const ids = new Set(
      (await pendingActivities(handle))
        .filter((activity) => activity.state === STARTED && activity.lastWorkerIdentity === identity)
        .map((activity) => activity.activityId),
    );
    if (ids.size === 0) continue;
    for (const event of (await handle.fetchHistory()).events ?? []) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (!scheduled || !ids.has(scheduled.activityId)) continue;
      const data = scheduled.input?.payloads?.[0]?.data;
      const request: unknown = data ? JSON.parse(Buffer.from(data).toString('utf8')) : undefined;
      speakers.push(speakerOf({ body: request }) ?? `unknown activity ${scheduled.activityId}`);
    }
  }
  return speakers;
}
