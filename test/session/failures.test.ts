import type { LLMock } from '@copilotkit/aimock';
import { temporal } from '@temporalio/proto';
import { createLlmActivities } from '../../activities';
import { FailureType } from '../../common/failures';
import { MultiParticipantSession } from '../../client/api/session';
import { answerAsParticipants, chatRequests, mockClients, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { waitFor } from '../helpers/wait';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
const fastRetry = { maximumAttempts: 3, initialIntervalMs: 100, backoffCoefficient: 1 };

describe('failure isolation: one participant fails, the round and the session go on', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;
  let limitedCalls = 0;

  beforeAll(async () => {
    mock = await startMockLlm();
    mock.on(
      { predicate: (request) => speakerOf({ body: request }) === 'Broken' },
      { error: { message: 'upstream exploded', type: 'server_error' }, status: 500 },
    );
    mock.on({ predicate: (request) => speakerOf({ body: request }) === 'Limited' }, () => {
      limitedCalls += 1;
      if (limitedCalls === 1) {
        return { error: { message: 'slow down', type: 'rate_limit_error' }, status: 429, retryAfter: 2 };
      }
      return { content: 'Limited: answer after waiting', usage: { prompt_tokens: 3, completion_tokens: 4 } };
    });
    mock.on(
      { predicate: (request) => speakerOf({ body: request }) === 'Stuck' },
      { content: 'too late' },
      {
        chaos: { latencyMs: 30_000 },
      },
    );
    answerAsParticipants(mock);
    harness = await startHarness('failures', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });
  beforeEach(() => mock.clearRequests());

  async function panel(strategy: 'broadcast' | 'roundRobin', names: string[]) {
    const session = await MultiParticipantSession.create(
      harness.client,
      { strategy },
      { taskQueue: harness.taskQueue },
    );
    for (const name of names) await session.addParticipant(name, model, 'panelist', { retry: fastRetry });
    return session;
  }

  const callsBy = (name: string) => chatRequests(mock).filter((entry) => speakerOf(entry) === name);

  it('marks a participant whose endpoint always answers 500 failed after its retries; the others answer', async () => {
    const session = await panel('roundRobin', ['First', 'Broken', 'Last']);
    const responses = await session.sendMessage('user', 'Go');
    expect(responses.map((r) => [r.participantName, r.status])).toEqual([
      ['First', 'ok'],
      ['Broken', 'failed'],
      ['Last', 'ok'],
    ]);
    expect(responses[1]?.error?.type).toBe(FailureType.ProviderServerError);
    expect(callsBy('Broken')).toHaveLength(fastRetry.maximumAttempts);
    // The next participant sees only the answers that exist.
    expect(responses[2]?.shown).toEqual(['First']);
    const next = await session.sendMessage('user', 'And again');
    expect(next.filter((r) => r.status === 'ok').map((r) => r.participantName)).toEqual(['First', 'Last']);
  });

  it('retries a 429 after its Retry-After delay, and then succeeds', async () => {
    const session = await panel('broadcast', ['Limited', 'Other']);
    const responses = await session.sendMessage('user', 'Go');
    expect(responses.map((r) => r.status)).toEqual(['ok', 'ok']);
    const [first, second] = callsBy('Limited');
    expect(second).toBeDefined();
    expect((second?.timestamp ?? 0) - (first?.timestamp ?? 0)).toBeGreaterThanOrEqual(1900);
    expect(responses[0]?.content).toBe('Limited: answer after waiting');
  });

  it('lets the user skip a participant stuck in a call; the round goes on without it', async () => {
    const session = await panel('broadcast', ['Stuck', 'Quick']);
    const round = session.sendMessage('user', 'Go');
    const handle = harness.client.workflow.getHandle(session.sessionId);
    const pending = async () => (await handle.describe()).raw.pendingActivities ?? [];
    // aimock journals a streamed request only when it ends: wait on the worker having started the call.
    await waitFor(
      'the stuck call to be in flight',
      async () => callsBy('Quick').length === 1 && (await pending()).some((a) => a.state === STARTED),
    );
    const skippedAt = Date.now();
    expect(await session.skipParticipant('Stuck')).toBe(true);
    const responses = await round;
    expect(responses.map((r) => [r.participantName, r.status])).toEqual([
      ['Stuck', 'skipped'],
      ['Quick', 'ok'],
    ]);
    // The activity learns of the cancellation at its next heartbeat and aborts its HTTP call:
    // it ends long before the model's first token (60 s away) would have arrived.
    await waitFor('the cancelled call to end', async () => (await pending()).length === 0);
    expect(Date.now() - skippedAt).toBeLessThan(15_000);
  });
});
