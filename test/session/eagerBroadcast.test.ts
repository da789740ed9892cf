import { MultiParticipantSession } from '../../client/api/session';
import { DEFAULT_EAGER_ACTIVITY_RESERVATIONS } from '../../workers/worker';
import { answerAsParticipants } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';

const eventMs = (time: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  Number(time?.seconds ?? 0) * 1000 + (time?.nanos ?? 0) / 1e6;

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const PARTICIPANTS = 12;

describe('a broadcast round starts its calls eagerly (issue 20 target 2)', () => {
  const bench = useMockHarness('eager-broadcast', (mock) => answerAsParticipants(mock, 200));

  it('hands every call of the round to the worker with the workflow task that schedules them', async () => {
    expect(bench.harness.worker.options.maxEagerActivityReservationsPerWorkflowTask).toBe(
      DEFAULT_EAGER_ACTIVITY_RESERVATIONS,
    );
    const names = Array.from({ length: PARTICIPANTS }, (_, i) => `P${i + 1}`);
    const session = await MultiParticipantSession.create(
      bench.harness.client,
      { strategy: 'broadcast', participants: names.map((name) => ({ name, role: 'panelist', model })) },
      { taskQueue: bench.harness.taskQueue, sessionId: `eager-broadcast-${process.pid}-${Date.now()}` },
    );
    const responses = await session.sendMessage('user', 'All at once?');
    expect(responses.map((r) => r.status)).toEqual(names.map(() => 'ok'));
    const history = await bench.harness.client.workflow.getHandle(session.sessionId).fetchHistory();
    await session.close();
    const events = history.events ?? [];
    const calls = new Set(
      events
        .filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'callLlm')
        .map((event) => String(event.eventId)),
    );
    const started = events.filter((event) =>
      calls.has(String(event.activityTaskStartedEventAttributes?.scheduledEventId)),
    );
    expect(started).toHaveLength(PARTICIPANTS);
    // Eager: the server starts them all as it records the workflow task's completion, within
    // microseconds. Polled, each start is its own poll reply and database write, milliseconds apart.
    const times = started.map((event) => eventMs(event.eventTime));
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(1);
  });
});
