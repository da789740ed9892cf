import { MultiParticipantSession } from '../../client/api/session';
import { DEFAULT_EAGER_ACTIVITY_RESERVATIONS } from '../../workers/worker';
import { answerAsParticipants } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';
import { metricLabelValue, serverCounter, settledCounter } from '../helpers/serverMetrics';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const PARTICIPANTS = 12;

describe('a broadcast round starts its calls eagerly (issue 20 target 2)', () => {
  const bench = useMockHarness('eager-broadcast', (mock) => answerAsParticipants(mock, 200));

  it('hands every call of the round to the worker with the workflow task that schedules them', async () => {
    expect(bench.harness.worker.options.maxEagerActivityReservationsPerWorkflowTask).toBe(
      DEFAULT_EAGER_ACTIVITY_RESERVATIONS,
    );
    const queue = { taskqueue: metricLabelValue(bench.harness.taskQueue) };
    const activityTasks = { ...queue, task_type: 'Activity' };
    // Counters live as long as the server: this run's share is what they gained since here.
    const eagerBefore = await serverCounter('activity_eager_execution', queue);
    const addedBefore = await serverCounter('tasks_added', activityTasks);
    const names = Array.from({ length: PARTICIPANTS }, (_, i) => `P${i + 1}`);
    const session = await MultiParticipantSession.create(
      bench.harness.client,
      { strategy: 'broadcast', participants: names.map((name) => ({ name, role: 'panelist', model })) },
      { taskQueue: bench.harness.taskQueue, sessionId: `eager-broadcast-${process.pid}-${Date.now()}` },
    );
    try {
      const responses = await session.sendMessage('user', 'All at once?');
      expect(responses.map((r) => r.status)).toEqual(names.map(() => 'ok'));
      const history = await bench.harness.client.workflow.getHandle(session.sessionId).fetchHistory();
      const scheduled = (history.events ?? []).filter((event) => event.activityTaskScheduledEventAttributes);
      const calls = scheduled.filter(
        (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'callLlm',
      );
      expect(calls).toHaveLength(PARTICIPANTS);
      const schedulingTasks = new Set(
        calls.map((event) =>
          String(event.activityTaskScheduledEventAttributes?.workflowTaskCompletedEventId),
        ),
      );
      expect(schedulingTasks.size).toBe(1);

      // What the server did, not what it recorded: an eager start is counted as the server hands the
      // task back with the workflow task's completion; a polled one is added to a matching queue first.
      // Start times in the history cannot tell them apart (each start is stamped separately, and a
      // loaded machine spreads eager ones over milliseconds). Each activity starts once, so a count
      // that covers every activity the run scheduled leaves none to a poll.
      const expected = eagerBefore + scheduled.length;
      const eager = (await settledCounter('activity_eager_execution', queue, expected)) - eagerBefore;
      expect(eager).toBeGreaterThanOrEqual(scheduled.length);
      // A cross-check from the other side: matching was handed none of them.
      expect((await serverCounter('tasks_added', activityTasks)) - addedBefore).toBe(0);
    } finally {
      await session.close();
    }
  });
});
