import type { temporal } from '@temporalio/proto';
import { FailureType } from '../../common/failures';
import { councilContextSchema } from '../../common/council';
import { participantSpecSchema, type ParticipantSpecInput } from '../../common/participants';
import { sessionConfigSchema } from '../../common/sessionInputs';
import { LOCAL_CALL_LIMITS } from '../../common/localCall';
import { MultiParticipantSession } from '../../client/api/session';
import { MODEL_CALL_ACTIVITY } from '../../activities/types';
import { useMockHarness } from '../helpers/mockHarness';
import { answerAsParticipants, chatRequests, speakerOf } from '../helpers/mockLlm';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const fastRetry = { maximumAttempts: 3, initialIntervalMs: 100, backoffCoefficient: 1 };

function participant(name: string, extra: Partial<ParticipantSpecInput> = {}): ParticipantSpecInput {
  return { name, role: 'panelist', model, retry: fastRetry, ...extra };
}

/** The model calls a history holds, by kind: scheduled activities, and local-activity markers. */
function modelCalls(events: HistoryEvent[]) {
  const scheduled = events.filter(
    (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === MODEL_CALL_ACTIVITY,
  );
  const markers = events.filter(
    (event) => event.markerRecordedEventAttributes?.markerName === 'core_local_activity',
  );
  return { scheduled: scheduled.length, markers: markers.length };
}

describe('participants called as local activities (callAs: local)', () => {
  const bench = useMockHarness('local-call', (mock) => {
    mock.on(
      { predicate: (request) => speakerOf({ body: request }) === 'Locked' },
      { error: { message: 'bad key', type: 'invalid_request_error' }, status: 401 },
    );
    answerAsParticipants(mock);
  });

  async function session(participants: ParticipantSpecInput[]) {
    const { client, taskQueue } = bench.harness;
    return MultiParticipantSession.create(client, { strategy: 'broadcast', participants }, { taskQueue });
  }

  it('answers through the mock LLM, recorded as a local-activity marker and no scheduled activity', async () => {
    const chat = await session([participant('Quick', { callAs: 'local' }), participant('Slow')]);
    const responses = await chat.sendMessage('user', 'Hello both');
    expect(responses.map((r) => [r.participantName, r.status, r.content])).toEqual([
      ['Quick', 'ok', expect.stringMatching(/^Quick: answer \d+$/)],
      ['Slow', 'ok', expect.stringMatching(/^Slow: answer \d+$/)],
    ]);
    const history = await bench.harness.client.workflow.getHandle(chat.sessionId).fetchHistory();
    // Slow is a regular activity; Quick's call is only a marker.
    expect(modelCalls(history.events ?? [])).toEqual({ scheduled: 1, markers: 1 });
    await chat.close();
  });

  it('classifies failures as a regular call does: a 401 is not retried', async () => {
    const chat = await session([participant('Locked', { callAs: 'local' })]);
    const [response] = await chat.sendMessage('user', 'Anyone there?');
    expect(response?.status).toBe('failed');
    expect(response?.error?.type).toBe(FailureType.ProviderAuthentication);
    expect(chatRequests(bench.mock).filter((entry) => speakerOf(entry) === 'Locked')).toHaveLength(1);
    await chat.close();
  });

  it('refuses a heartbeat timeout or a long attempt on a local participant, saying how to fix it', () => {
    const heartbeat = participantSpecSchema.safeParse(
      participant('A', { callAs: 'local', timeouts: { heartbeatMs: 2000 } }),
    );
    expect(heartbeat.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['callAs', expect.stringContaining('timeouts.heartbeatMs has no effect with callAs: local')],
    ]);
    const long = participantSpecSchema.safeParse(
      participant('A', { callAs: 'local', timeouts: { attemptMs: LOCAL_CALL_LIMITS.maxAttemptMs + 1 } }),
    );
    expect(long.error?.issues[0]?.message).toMatch(/over the 60000 ms a local call may take: lower it/);
    expect(participantSpecSchema.safeParse(participant('A', { callAs: 'remote' as never })).success).toBe(
      false,
    );
    expect(
      participantSpecSchema.safeParse(participant('A', { timeouts: { attemptMs: 600_000 } })).success,
    ).toBe(true);
  });

  it('refuses a local caller where a timer must cut its wait short: a quorum, a deadline, a hedge', async () => {
    const timed = sessionConfigSchema.safeParse({
      strategy: 'broadcast',
      deadlineMs: 1000,
      participants: [participant('A'), participant('B', { callAs: 'local' })],
    });
    expect(timed.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      [
        'participants.1.callAs',
        expect.stringContaining("B is called as a local activity (callAs: local), which the round's quorum"),
      ],
    ]);
    // Joining later is refused the same way, by the workflow.
    const quorum = await MultiParticipantSession.create(
      bench.harness.client,
      { strategy: 'broadcast', quorum: 1, participants: [participant('A'), participant('B')] },
      { taskQueue: bench.harness.taskQueue },
    );
    await expect(quorum.addParticipant('C', model, 'panelist', { callAs: 'local' })).rejects.toThrow(
      /C is called as a local activity .*Drop callAs: local, or quorum and deadlineMs/,
    );
    await quorum.close();
    const hedge = { afterMs: 1000, backup: { model } };
    const expert = { id: 'a', name: 'A', model, callAs: 'local' } as const;
    const context = { task: 'Decide.', mode: 'parallel', synthesisConfig: { model } } as const;
    const hedged = councilContextSchema.safeParse({ ...context, activeExperts: [expert], hedge });
    expect(hedged.error?.issues[0]?.message).toMatch(/which a hedge cannot cut short.*or the hedge$/);
    const optedOut = { ...context, activeExperts: [{ ...expert, hedge: false }], hedge };
    expect(councilContextSchema.safeParse(optedOut).success).toBe(true);
  });
});
