import { startCouncil } from '../../client/api/council';
import type { CouncilWorkflowResult } from '../../common/council';
import { council, expert } from '../council/support';
import { replaceWorker, startPollingWorker, useDurableEnvironment } from './support/environment';
import { backupModel, callsByModel } from './support/hedge';
import { completedActivities, waitUntilRecorded } from './support/temporal';

describe("a hedge's backup in flight across a worker SIGKILL", () => {
  // Expert B's own calls (each attempt) hang until released, and so does its backup's first
  // attempt: the backup is in flight on the worker that dies; its retry on the new worker answers.
  let backupAttempts = 0;
  const environment = useDurableEnvironment({
    latencyMs: 200,
    hold: (speaker, _nth, model) => {
      if (speaker !== 'Expert B') return false;
      if (model !== backupModel.model) return true;
      backupAttempts += 1;
      return backupAttempts === 1;
    },
  });

  it('the backup is scheduled once, retried on the new worker per its retry policy, and answers for B', async () => {
    const { mock, answerer, client } = environment;
    const taskQueue = 'durability-hedge-backup-kill';
    const first = await startPollingWorker(environment, taskQueue, 'worker-1');
    const heartbeat = { heartbeatMs: 5000 };
    const hedge = { afterMs: 2_000, backup: { name: 'Backup', model: backupModel, timeouts: heartbeat } };
    const experts = [expert('a'), expert('b', { timeouts: heartbeat })];
    const councilId = await startCouncil(client, council('parallel', experts, { hedge }), { taskQueue });
    const handle = client.workflow.getHandle(councilId);
    await waitUntilRecorded(
      "B's own call and its backup to be held, A's answer recorded",
      handle,
      () => answerer.held.some((held) => held.model === backupModel.model),
      1,
    );
    await replaceWorker(environment, first, 'worker-2');
    const result = (await handle.result()) as CouncilWorkflowResult;

    expect(result.outputs.b).toMatchObject({ status: 'done', hedgedBy: 'Backup' });
    expect(result.outputs.b?.content).toMatch(/^Expert B: answer/);
    // The backup reached the model twice: its first attempt held on the killed worker, its retry.
    expect(answerer.started.filter((start) => start.model === backupModel.model)).toHaveLength(2);
    expect(callsByModel(mock)).toEqual([
      ['Expert A', 'gpt-4o-mini', 'worker-1'],
      ['Expert B', backupModel.model, 'worker-2'],
      ['Synthesizer', 'gpt-4o-mini', 'worker-2'],
    ]);
    // Scheduled once, completed by its second attempt: the retry policy, not a second backup.
    const history = await handle.fetchHistory();
    const backups = (history.events ?? []).filter(
      (event) => event.activityTaskScheduledEventAttributes?.activityId === 'r1.hedge.b',
    );
    expect(backups).toHaveLength(1);
    const backupId = Number(backups[0]?.eventId);
    const completed = completedActivities(history).completed.find(
      (call) => call.scheduledEventId === backupId,
    );
    expect(completed?.attempt).toBe(2);
  }, 180_000);
});
