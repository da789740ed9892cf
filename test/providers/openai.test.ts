import type { LLMock } from '@copilotkit/aimock';
import { CancelledFailure } from '@temporalio/common';
import { createLlmActivities, type LlmActivities } from '../../activities';
import { JSON_ONLY_INSTRUCTION } from '../../activities/providers/common';
import { promptTokens } from '../../activities/trimHistory';
import { FailureType } from '../../common/failures';
import type { ChatMessage, ModelSpec } from '../../common/llm';
import { chatRequests, mockClients, promptText, startMockLlm } from '../helpers/mockLlm';
import {
  failureOf,
  idleStreamCall,
  llmRequest,
  responsesClosed,
  type ResponseWatch,
  runCallLlm,
  sleep,
  watchResponses,
} from './support';

const model: ModelSpec = { provider: 'openai', model: 'gpt-4o-mini' };
const answer = 'The council recommends the second proposal, with a review in six months.';

let mock: LLMock;
let watch: ResponseWatch;
let activities: LlmActivities;

beforeAll(async () => {
  mock = await startMockLlm();
  watch = watchResponses(mock);
  activities = createLlmActivities(mockClients(mock), { env: {}, heartbeatIntervalMs: 100 });
});
afterAll(() => mock.stop());
beforeEach(() => {
  mock.clearFixtures();
  mock.clearRequests();
  mock.clearChaos();
  watch.reset();
});

const lastBody = () => chatRequests(mock).at(-1)?.body as Record<string, unknown>;

describe('OpenAI adapter against aimock', () => {
  it('answers a non-streamed request with the usage the server reported', async () => {
    mock.onMessage('plain', { content: answer, usage: { prompt_tokens: 11, completion_tokens: 5 } });
    const response = await runCallLlm(activities, llmRequest(model, 'plain', { stream: false })).result;
    expect(response).toEqual({
      content: answer,
      tokenUsage: { inputTokens: 11, outputTokens: 5, totalTokens: 16 },
      stopReason: 'stop',
      truncated: false,
      model: 'gpt-4o-mini',
      droppedMessages: 0,
    });
    expect(lastBody().stream).toBe(false);
  });

  it('streams by default, asks for usage in the stream and reassembles the chunks', async () => {
    mock.onMessage(
      'streamed',
      { content: answer, usage: { prompt_tokens: 21, completion_tokens: 7 } },
      { chunkSize: 5 },
    );
    const run = runCallLlm(activities, llmRequest(model, 'streamed'));
    const response = await run.result;
    expect(response.content).toBe(answer);
    expect(response.tokenUsage).toEqual({ inputTokens: 21, outputTokens: 7, totalTokens: 28 });
    expect(lastBody()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    // Chunks closer than 100 ms share a heartbeat (activities/heartbeat.ts); test/stream checks the text they carry.
    expect(run.heartbeats.length).toBeGreaterThanOrEqual(1);
  });

  it('reports an answer cut at the output limit as truncated, streamed or not', async () => {
    mock.onMessage('long', { content: 'The first half of', finishReason: 'length' });
    for (const stream of [true, false]) {
      const response = await runCallLlm(activities, llmRequest(model, 'long', { stream, maxOutputTokens: 5 }))
        .result;
      expect(response).toMatchObject({ stopReason: 'length', truncated: true });
      expect(lastBody()).toMatchObject({ max_completion_tokens: 5 });
      expect(lastBody()).not.toHaveProperty('max_tokens');
    }
  });

  it('in JSON mode sends response_format json_object and says JSON in the system prompt', async () => {
    mock.onMessage('verdict', { content: '{"verdict":"approve"}' });
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You judge proposals.' },
      { role: 'user', content: 'verdict' },
    ];
    const request = {
      ...llmRequest(model, 'verdict'),
      messages,
      responseFormat: 'json' as const,
      temperature: 0.2,
    };
    const response = await runCallLlm(activities, request).result;
    expect(JSON.parse(response.content)).toEqual({ verdict: 'approve' });
    expect(lastBody()).toMatchObject({ response_format: { type: 'json_object' }, temperature: 0.2 });
    const sent = lastBody().messages as ChatMessage[];
    expect(sent).toEqual([
      { role: 'system', content: `You judge proposals.\n\n${JSON_ONLY_INSTRUCTION}` },
      messages[1],
    ]);
  });

  it('sends only the history that fits maxContextTokens and reports how many messages it dropped', async () => {
    mock.onMessage('final question', { content: answer });
    const filler = 'an old remark about the budget that no longer matters. '.repeat(20);
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You are the treasurer.' },
      ...Array.from({ length: 6 }, (_, i): ChatMessage => ({
        role: i % 2 ? 'assistant' : 'user',
        content: `old ${i} ${filler}`,
      })),
      { role: 'user', content: 'final question' },
    ];
    // Room for the system message, the newest old exchange and the question: four are dropped.
    const kept = [messages[0], messages[5], messages[6], messages[7]] as ChatMessage[];
    const maxContextTokens = promptTokens(kept);
    const response = await runCallLlm(activities, { ...llmRequest(model, ''), messages, maxContextTokens })
      .result;
    expect(response.droppedMessages).toBe(4);
    const journal = chatRequests(mock).at(-1);
    if (!journal) throw new Error('no request reached the mock');
    const prompt = promptText(journal);
    expect(prompt).toContain('You are the treasurer.');
    expect(prompt).toContain('old 4');
    expect(prompt).not.toContain('old 3');
    expect(prompt).toContain('final question');
  });
});

describe('OpenAI adapter: heartbeats and cancellation', () => {
  it('heartbeats on a timer for the whole call: before the first token and between chunks', async () => {
    mock.onMessage(
      'slow start',
      { content: 'one two three four' },
      { chunkSize: 5, streamingProfile: { ttft: 1000, tps: 2 } },
    );
    const run = runCallLlm(activities, llmRequest(model, 'slow start'));
    await run.result;
    const beforeFirstToken = run.heartbeats.filter((at) => at < 950);
    // 100 ms timer during a 1 s wait: about ten beats (fewer on a busy machine); without it, one.
    expect(beforeFirstToken.length).toBeGreaterThanOrEqual(5);
    // Chunks 500 ms apart: the timer beats between them too (about fifteen beats in their 1.5 s),
    // where chunks alone would bring one each (four); a model's pause is not a silence.
    const afterFirstToken = run.heartbeats.filter((at) => at >= 1000);
    expect(afterFirstToken.length).toBeGreaterThanOrEqual(9);
  });

  it('a stream silent past its idle timeout is aborted: a retryable ProviderStreamIdle', async () => {
    const { failure, elapsedMs, responses } = await idleStreamCall(mock, activities, model, watch);
    expect(failure).toMatchObject({ type: FailureType.ProviderStreamIdle, nonRetryable: false });
    expect(failure.message).toContain('timeouts.streamIdleMs');
    expect(elapsedMs).toBeLessThan(10_000);
    expect(responses).toEqual([expect.objectContaining({ path: '/v1/chat/completions', finished: false })]);
  });

  it('aborts the HTTP request when the activity is cancelled while waiting for the first token', async () => {
    mock.onMessage('never mind', { content: answer }, { streamingProfile: { ttft: 5000 } });
    const run = runCallLlm(activities, llmRequest(model, 'never mind'));
    await sleep(300);
    run.env.cancel();
    await expect(run.result).rejects.toBeInstanceOf(CancelledFailure);
    expect(Date.now() - run.startedAt).toBeLessThan(2000);
    await responsesClosed(watch);
    expect(watch.responses).toEqual([
      expect.objectContaining({ path: '/v1/chat/completions', finished: false }),
    ]);
    expect(watch.responses[0]?.closedAtMs).toBeLessThan(2000);
  });

  it('aborts a stream in the middle of the answer when cancelled', async () => {
    mock.onMessage(
      'stop talking',
      { content: answer },
      { chunkSize: 4, streamingProfile: { ttft: 50, tps: 4 } },
    );
    const run = runCallLlm(activities, llmRequest(model, 'stop talking'));
    await sleep(700);
    run.env.cancel();
    await expect(run.result).rejects.toBeInstanceOf(CancelledFailure);
    await responsesClosed(watch);
    expect(watch.responses).toEqual([expect.objectContaining({ finished: false })]);
  });
});

describe('OpenAI adapter: failures over HTTP', () => {
  it('a connection cut mid-stream is a retryable ProviderConnectionError', async () => {
    mock.onMessage('cut', { content: answer }, { chunkSize: 4, latency: 30, truncateAfterChunks: 3 });
    const failure = await failureOf(runCallLlm(activities, llmRequest(model, 'cut')).result);
    expect(failure).toMatchObject({ type: FailureType.ProviderConnectionError, nonRetryable: false });
  });

  it('401 is a non-retryable ProviderAuthentication', async () => {
    mock.nextRequestError(401, {
      message: 'Invalid authentication',
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    });
    const failure = await failureOf(runCallLlm(activities, llmRequest(model, 'hello')).result);
    expect(failure).toMatchObject({ type: FailureType.ProviderAuthentication, nonRetryable: true });
  });

  it('429 insufficient_quota is final; a plain 429 is retried after Retry-After', async () => {
    mock.nextRequestError(429, {
      message: 'You exceeded your current quota',
      type: 'insufficient_quota',
      code: 'insufficient_quota',
    });
    const quota = await failureOf(runCallLlm(activities, llmRequest(model, 'hello')).result);
    expect(quota).toMatchObject({ type: FailureType.ProviderQuotaExceeded, nonRetryable: true });
    mock.setChaos({ rateLimitRate: 1 });
    const limited = await failureOf(runCallLlm(activities, llmRequest(model, 'hello')).result);
    expect(limited).toMatchObject({
      type: FailureType.ProviderRateLimited,
      nonRetryable: false,
      nextRetryDelay: 1000,
    });
  });

  it('retry-after-ms on a 503 becomes the next retry delay', async () => {
    watch.extraHeaders = { 'retry-after-ms': '1500' };
    mock.nextRequestError(503, { message: 'Service unavailable', type: 'server_error' });
    const failure = await failureOf(
      runCallLlm(activities, llmRequest(model, 'hello', { stream: false })).result,
    );
    expect(failure).toMatchObject({
      type: FailureType.ProviderServerError,
      nonRetryable: false,
      nextRetryDelay: 1500,
    });
  });

  it('never puts the API key in the failure message, even when the server echoes it', async () => {
    mock.nextRequestError(401, {
      message: 'Incorrect API key provided: test-openai-key',
      type: 'invalid_request_error',
    });
    const failure = await failureOf(runCallLlm(activities, llmRequest(model, 'hello')).result);
    expect(failure.message).toContain('Incorrect API key provided');
    expect(failure.message).not.toContain('test-openai-key');
  });
});
