import { startCouncil } from '../../client/api/council';
import type { CouncilWorkflowResult } from '../../common/council';
import { council, expert } from '../council/support';
import { replaceWorker, startPollingWorker, useDurableEnvironment } from './support/environment';
import { backupModel, callsByModel } from './support/hedge';
import { completedActivities, isModelCallScheduled } from './support/temporal';
import { waitFor } from './support/processes';

const HEDGE_AFTER_MS = 8_000;

describe('a hedged call across a worker SIGKILL', () => {
  // Expert B's own calls (each attempt) hang until released: it straggles on every worker. Its
  // backup, on another model, answers after the usual 200 ms.
  const environment = useDurableEnvironment({
    latencyMs: 200,
    hold: (speaker, _nth, model) => speaker === 'Expert B' && model !== backupModel.model,
  });

  it('the hedge timer started before the kill fires for the new worker: the backup starts once and answers for B', async () => {
    const { mock, answerer, client } = environment;
    const taskQueue = 'durability-hedge-kill';
    const first = await startPollingWorker(environment, taskQueue, 'worker-1');
    const heartbeat = { heartbeatMs: 5000 };
    const hedge = {
      afterMs: HEDGE_AFTER_MS,
      backup: { name: 'Backup', model: backupModel, timeouts: heartbeat },
    };
    const experts = [expert('a'), expert('b', { timeouts: heartbeat })];
    const startedAt = Date.now();
    const councilId = await startCouncil(client, council('parallel', experts, { hedge }), { taskQueue });
    const handle = client.workflow.getHandle(councilId);
    // A's answer recorded by the server, B's own call held, the hedge timers started: then the kill.
    await waitFor(
      "A to answer while B's own call is held",
      async () => {
        const history = await handle.fetchHistory();
        const timerStarted = history.events?.some((event) => event.timerStartedEventAttributes);
        return (
          answerer.held.length === 1 &&
          timerStarted === true &&
          completedActivities(history).completed.length === 1
        );
      },
      60_000,
    );
    const { killedAt } = await replaceWorker(environment, first, 'worker-2');
    expect(killedAt - startedAt).toBeLessThan(HEDGE_AFTER_MS);
    const result = (await handle.result()) as CouncilWorkflowResult;

    expect(result.outputs.b).toMatchObject({ status: 'done', hedgedBy: 'Backup' });
    expect(result.outputs.b?.content).toMatch(/^Expert B: answer/);
    expect(result.outputs.a?.hedgedBy).toBeUndefined();
    // The backup reached the model once, from the new worker; B's own call never completed, and
    // was tried at most twice (on the killed worker, then once more after its heartbeat timed out).
    const backups = answerer.started.filter((start) => start.model === backupModel.model);
    expect(backups.map((start) => start.speaker)).toEqual(['Expert B']);
    const ownCalls = answerer.started.filter(
      (start) => start.speaker === 'Expert B' && start.model !== backupModel.model,
    );
    expect(ownCalls.length).toBeGreaterThanOrEqual(1);
    expect(ownCalls.length).toBeLessThanOrEqual(2);
    expect(callsByModel(mock)).toEqual([
      ['Expert A', 'gpt-4o-mini', 'worker-1'],
      ['Expert B', backupModel.model, 'worker-2'],
      ['Synthesizer', 'gpt-4o-mini', 'worker-2'],
    ]);
    // A hedge timer per expert, both started before the kill and not started again by the new
    // worker (whether A's was cancelled or fired depends on when the new worker took over).
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    const at = (event: (typeof events)[number]) => Number(event.eventTime?.seconds) * 1000;
    const timers = events.filter((event) => event.timerStartedEventAttributes);
    const timeouts = timers.map((e) => Number(e.timerStartedEventAttributes?.startToFireTimeout?.seconds));
    expect(timeouts).toEqual([HEDGE_AFTER_MS / 1000, HEDGE_AFTER_MS / 1000]);
    expect(timers.every((timer) => at(timer) <= killedAt)).toBe(true);
    const backupScheduled = events.filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityId === 'r1.hedge.b',
    );
    expect(backupScheduled).toHaveLength(1);
    expect(backupScheduled.every((event) => at(event) >= Math.floor(killedAt / 1000) * 1000)).toBe(true);
    const ids = events
      .filter(isModelCallScheduled)
      .map((e) => e.activityTaskScheduledEventAttributes?.activityId);
    expect(ids.sort()).toEqual(['r1.answer.a', 'r1.answer.b', 'r1.hedge.b', 'r1.synthesis.Synthesizer']);
    const completed = completedActivities(history).completed.map((call) => call.scheduledEventId);
    expect(new Set(completed).size).toBe(completed.length);
    expect(completed).toHaveLength(3);
  }, 180_000);
});
