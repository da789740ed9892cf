import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { MultiParticipantSession, type ParticipantExtras } from '../../client/api/session';
import { FailureType } from '../../common/failures';
import type { ChatCompletionRequest } from '@copilotkit/aimock';
import { chatRequests, mockClients, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { sleep, watchResponses, type ResponseWatch } from './support';

// Provider behaviour through the real activity retry policy, on the real dev server: each test has
// one participant, whose calls are routed to its own fixtures by the name in its system prompt.
const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const fastRetry = { maximumAttempts: 4, initialIntervalMs: 100, backoffCoefficient: 1 };
const answer = 'After weighing both options, the council prefers the cheaper one.';

let mock: LLMock;
let watch: ResponseWatch;
let harness: TemporalTestHarness;

beforeAll(async () => {
  mock = await startMockLlm();
  watch = watchResponses(mock);
  harness = await startHarness('providers', createLlmActivities(mockClients(mock), { env: {} }));
});
afterAll(async () => {
  await harness?.close();
  await mock?.stop();
});
beforeEach(() => watch.reset());

const speaking = (name: string) => (request: ChatCompletionRequest) => speakerOf({ body: request }) === name;
const callsBy = (name: string) => chatRequests(mock).filter((entry) => speakerOf(entry) === name);

async function ask(name: string, extras: ParticipantExtras = {}) {
  const session = await MultiParticipantSession.create(
    harness.client,
    { strategy: 'broadcast' },
    { taskQueue: harness.taskQueue },
  );
  await session.addParticipant(name, model, 'panelist', { retry: fastRetry, ...extras });
  const [response] = await session.sendMessage('user', 'Which option should we take?');
  if (!response) throw new Error('the round returned no response');
  return { session, response };
}

describe('provider failures through the activity retry policy', () => {
  it('500 twice, then an answer: three calls, and the answer arrives', async () => {
    let calls = 0;
    mock.on({ predicate: speaking('Flaky') }, () => {
      calls += 1;
      if (calls <= 2) return { error: { message: 'upstream exploded', type: 'server_error' }, status: 500 };
      return { content: answer, usage: { prompt_tokens: 40, completion_tokens: 12 } };
    });
    const { response } = await ask('Flaky');
    expect(response).toMatchObject({ status: 'ok', content: answer });
    expect(response.tokenUsage).toEqual({ inputTokens: 40, outputTokens: 12, totalTokens: 52 });
    expect(callsBy('Flaky')).toHaveLength(3);
  });

  it('401: one call, failed, not retried', async () => {
    mock.on(
      { predicate: speaking('Unauthorised') },
      { error: { message: 'Invalid API key', type: 'invalid_request_error' }, status: 401 },
    );
    const { response } = await ask('Unauthorised');
    expect(response.status).toBe('failed');
    expect(response.error?.type).toBe(FailureType.ProviderAuthentication);
    expect(response.error?.message).not.toContain('test-openai-key');
    expect(callsBy('Unauthorised')).toHaveLength(1);
  });

  it('429 with Retry-After: the next attempt waits at least that long, not the 100 ms backoff', async () => {
    mock.on(
      { predicate: speaking('Throttled'), sequenceIndex: 0 },
      { error: { message: 'Rate limit reached', type: 'rate_limit_error' }, status: 429, retryAfter: 2 },
    );
    mock.on({ predicate: speaking('Throttled') }, { content: answer });
    const { response } = await ask('Throttled');
    expect(response.status).toBe('ok');
    const [first, second] = callsBy('Throttled');
    expect((second?.timestamp ?? 0) - (first?.timestamp ?? 0)).toBeGreaterThanOrEqual(2000);
  });

  it('a connection cut mid-stream is retried and the retry answers in full', async () => {
    mock.on(
      { predicate: speaking('Cutoff'), sequenceIndex: 0 },
      { content: answer },
      { chunkSize: 5, latency: 20, truncateAfterChunks: 3 },
    );
    mock.on({ predicate: speaking('Cutoff') }, { content: answer }, { chunkSize: 5 });
    const { response } = await ask('Cutoff');
    expect(response).toMatchObject({ status: 'ok', content: answer });
    expect(callsBy('Cutoff')).toHaveLength(2);
  });

  it('a stream that hangs after its first chunk is aborted at its idle timeout and retried', async () => {
    // The first attempt sends a few chunks of text, then the next only after 60 s: a hung connection.
    const hang = Array.from({ length: 40 }, (_, index) => (index < 4 ? 5 : 60_000));
    mock.on(
      { predicate: speaking('Hung'), sequenceIndex: 0 },
      { content: answer },
      { chunkSize: 5, recordedTimings: { ttftMs: 50, interChunkDelaysMs: hang, totalDurationMs: 600_000 } },
    );
    mock.on({ predicate: speaking('Hung') }, { content: answer }, { chunkSize: 5 });
    const startedAt = Date.now();
    const { response } = await ask('Hung', { timeouts: { streamIdleMs: 1000, attemptMs: 120_000 } });
    expect(response).toMatchObject({ status: 'ok', content: answer });
    // Counted as they arrive: aimock journals the hung request only once its response ends.
    expect(watch.responses).toHaveLength(2);
    // Found by the 1 s idle timeout, not the 2 min attempt timeout nor the 60 s stall.
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    // The idle timeout aborts the attempt's HTTP request instead of leaking it.
    const hung = watch.responses[0];
    await waitFor(() => hung?.finished !== undefined);
    expect(hung?.finished).toBe(false);
    expect(hung?.closedAtMs).toBeLessThan(30_000);
  });

  it('a stream that pauses mid-answer past the heartbeat timeout is not retried: the worker still beats', async () => {
    // One chunk, then 2.5 s of silence, then the rest: a model pausing mid-answer on a live worker.
    mock.on(
      { predicate: speaking('Pausing') },
      { content: 'Paused, then done.' },
      { chunkSize: 9, streamingProfile: { ttft: 50, tps: 0.4 } },
    );
    const { response } = await ask('Pausing', { timeouts: { heartbeatMs: 1000 } });
    expect(response).toMatchObject({ status: 'ok', content: 'Paused, then done.' });
    expect(callsBy('Pausing')).toHaveLength(1);
  });

  it('skipping a participant aborts its HTTP request at the provider', async () => {
    mock.on(
      { predicate: speaking('Ponderous') },
      { content: answer },
      { streamingProfile: { ttft: 60_000 } },
    );
    const session = await MultiParticipantSession.create(
      harness.client,
      { strategy: 'broadcast' },
      { taskQueue: harness.taskQueue },
    );
    // Default timeouts: the activity's timer heartbeats carry the cancellation while no token has come.
    await session.addParticipant('Ponderous', model, 'panelist', { retry: fastRetry });
    const round = session.sendMessage('user', 'Take your time.');
    await waitFor(() =>
      watch.responses.some(
        (exchange) => exchange.path === '/v1/chat/completions' && exchange.finished === undefined,
      ),
    );
    const exchange = watch.responses.at(-1);
    const skippedAt = Date.now();
    expect(await session.skipParticipant('Ponderous')).toBe(true);
    const [response] = await round;
    expect(response?.status).toBe('skipped');
    // The server saw the connection close before its answer was sent: the request was aborted.
    await waitFor(() => exchange?.finished !== undefined);
    expect(exchange?.finished).toBe(false);
    expect(Date.now() - skippedAt).toBeLessThan(10_000);
    expect(watch.responses).toHaveLength(1);
  });
});

/** Polls an observable condition (never a fixed sleep standing in for synchronisation). */
async function waitFor(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}
