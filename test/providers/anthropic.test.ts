import type { ServerResponse } from 'node:http';
import type { LLMock } from '@copilotkit/aimock';
import { CancelledFailure } from '@temporalio/common';
import { createLlmActivities, type LlmActivities } from '../../activities';
import { ANTHROPIC_DEFAULT_MAX_TOKENS } from '../../activities/providers/anthropic';
import { JSON_ONLY_INSTRUCTION } from '../../activities/providers/common';
import { FailureType } from '../../common/failures';
import type { ChatMessage, ModelSpec } from '../../common/llm';
import { chatRequests, mockClients, startMockLlm } from '../helpers/mockLlm';
import {
  failureOf,
  idleStreamCall,
  llmRequest,
  responsesClosed,
  type ResponseWatch,
  runCallLlm,
  serveWire,
  sleep,
  watchResponses,
  writeEvent,
} from './support';

const model: ModelSpec = { provider: 'anthropic', model: 'claude-haiku-4-5' };
const answer = 'Approve it, but ask the treasurer for a quarterly report.';

let mock: LLMock;
let watch: ResponseWatch;
let activities: LlmActivities;
let wireModel: ModelSpec;
let wireMode: 'cached' | 'overloaded' = 'cached';
/** How long the wire stream waits after its first events, before the answer's text (a model thinking). */
let wirePauseMs = 0;
/** The raw body of the last request to the wire server (aimock's journal holds a converted one). */
let wireBody: Record<string, unknown> = {};

beforeAll(async () => {
  mock = await startMockLlm();
  watch = watchResponses(mock);
  const wireURL = serveWire(mock, '/wire', (body, res) => {
    wireBody = body;
    if (wireMode === 'cached') cached(body, res);
    else overloaded(res);
  });
  wireModel = { provider: 'anthropic', model: 'claude-wire', baseURL: wireURL, apiKeyEnv: 'WIRE_KEY' };
  // The worker's policy lets WIRE_KEY go to the wire server.
  const env = {
    WIRE_KEY: 'wire-key-123',
    COUNCIL_PROVIDER_POLICY: JSON.stringify({ keys: { WIRE_KEY: [wireURL] } }),
  };
  activities = createLlmActivities(mockClients(mock), { env });
});
afterAll(() => mock.stop());
beforeEach(() => {
  wirePauseMs = 0;
  mock.clearFixtures();
  mock.clearRequests();
  watch.reset();
});

const lastBody = () => chatRequests(mock).at(-1)?.body as Record<string, unknown>;

describe('Anthropic adapter against aimock', () => {
  it('answers a non-streamed request with the usage the server reported', async () => {
    mock.onMessage('plain', { content: answer, usage: { input_tokens: 12, output_tokens: 4 } });
    const response = await runCallLlm(
      activities,
      llmRequest(model, 'plain', { stream: false, temperature: 1.5 }),
    ).result;
    expect(response).toEqual({
      content: answer,
      tokenUsage: { inputTokens: 12, outputTokens: 4, totalTokens: 16 },
      stopReason: 'stop',
      truncated: false,
      model: 'claude-haiku-4-5',
      droppedMessages: 0,
    });
    // Anthropic requires max_tokens and refuses temperatures above 1.
    expect(lastBody()).toMatchObject({ max_tokens: ANTHROPIC_DEFAULT_MAX_TOKENS, temperature: 1 });
  });

  it('sends system messages as `system`, the rest in order, and JSON mode as an instruction', async () => {
    wireMode = 'cached';
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You are the chair.' },
      { role: 'user', content: 'earlier' },
      { role: 'assistant', content: 'noted' },
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'now' },
    ];
    await runCallLlm(activities, { ...llmRequest(wireModel, ''), messages }).result;
    expect(wireBody).toMatchObject({
      system: 'You are the chair.\n\nBe brief.',
      messages: [messages[1], messages[2], messages[4]],
    });
    await runCallLlm(activities, { ...llmRequest(wireModel, ''), messages, responseFormat: 'json' }).result;
    expect(wireBody.system).toBe(`You are the chair.\n\n${JSON_ONLY_INSTRUCTION}\n\nBe brief.`);
    expect(wireBody).not.toHaveProperty('response_format');
  });

  it('streams by default and reassembles the text with the usage of the stream', async () => {
    mock.onMessage(
      'streamed',
      { content: answer, usage: { input_tokens: 30, output_tokens: 12 } },
      { chunkSize: 6 },
    );
    const run = runCallLlm(activities, llmRequest(model, 'streamed', { maxOutputTokens: 300 }));
    const response = await run.result;
    expect(response.content).toBe(answer);
    expect(response.tokenUsage).toEqual({ inputTokens: 30, outputTokens: 12, totalTokens: 42 });
    expect(lastBody()).toMatchObject({ stream: true, max_tokens: 300 });
    // Chunks closer than 100 ms share a heartbeat (activities/heartbeat.ts); test/stream checks the text they carry.
    expect(run.heartbeats.length).toBeGreaterThanOrEqual(1);
  });

  it('reports max_tokens as a truncated answer, streamed or not', async () => {
    mock.onMessage('long', { content: 'The first half of', finishReason: 'length' });
    for (const stream of [true, false]) {
      const response = await runCallLlm(activities, llmRequest(model, 'long', { stream })).result;
      expect(response).toMatchObject({ stopReason: 'length', truncated: true });
    }
  });

  it.each([false, true])('counts cache writes and reads as input tokens (stream: %s)', async (stream) => {
    wireMode = 'cached';
    const response = await runCallLlm(activities, llmRequest(wireModel, 'cached question', { stream }))
      .result;
    expect(response).toMatchObject({ content: 'cached answer', model: 'claude-wire', stopReason: 'stop' });
    expect(response.tokenUsage).toEqual({ inputTokens: 3 + 10 + 20, outputTokens: 9, totalTokens: 42 });
  });
});

describe('Anthropic adapter: cancellation and failures', () => {
  it('aborts the HTTP request when the activity is cancelled', async () => {
    mock.onMessage('never mind', { content: answer }, { streamingProfile: { ttft: 5000 } });
    const run = runCallLlm(activities, llmRequest(model, 'never mind'));
    await sleep(300);
    run.env.cancel();
    await expect(run.result).rejects.toBeInstanceOf(CancelledFailure);
    await responsesClosed(watch);
    expect(watch.responses).toEqual([expect.objectContaining({ path: '/v1/messages', finished: false })]);
  });

  it('a pause before the first text, after the stream began, is thinking time: not an idle stream', async () => {
    wirePauseMs = 800;
    const request = { ...llmRequest(wireModel, 'take your time'), streamIdleMs: 300 };
    const response = await runCallLlm(activities, request).result;
    expect(response.content).toBe('cached answer');
  });

  it('a stream silent past its idle timeout is aborted: a retryable ProviderStreamIdle', async () => {
    const { failure, elapsedMs, responses } = await idleStreamCall(mock, activities, model, watch);
    expect(failure).toMatchObject({ type: FailureType.ProviderStreamIdle, nonRetryable: false });
    expect(failure.message).toContain('timeouts.streamIdleMs');
    expect(elapsedMs).toBeLessThan(10_000);
    expect(responses).toEqual([expect.objectContaining({ path: '/v1/messages', finished: false })]);
  });

  it('a connection cut mid-stream is a retryable ProviderConnectionError', async () => {
    mock.onMessage('cut', { content: answer }, { chunkSize: 4, latency: 30, truncateAfterChunks: 4 });
    const failure = await failureOf(runCallLlm(activities, llmRequest(model, 'cut')).result);
    expect(failure).toMatchObject({ type: FailureType.ProviderConnectionError, nonRetryable: false });
  });

  it('an overloaded_error event inside the stream (no status) is a retryable server error', async () => {
    wireMode = 'overloaded';
    const failure = await failureOf(runCallLlm(activities, llmRequest(wireModel, 'busy?')).result);
    expect(failure).toMatchObject({ type: FailureType.ProviderServerError, nonRetryable: false });
    expect(failure.message).toContain('Overloaded');
  });

  it('529 is retryable; billing_error is final; 429 carries its Retry-After', async () => {
    mock.nextRequestError(529, { message: 'Overloaded', type: 'overloaded_error' });
    const overloaded = await failureOf(runCallLlm(activities, llmRequest(model, 'hello')).result);
    expect(overloaded).toMatchObject({ type: FailureType.ProviderServerError, nonRetryable: false });
    mock.nextRequestError(400, { message: 'Your credit balance is too low', type: 'billing_error' });
    const billing = await failureOf(runCallLlm(activities, llmRequest(model, 'hello')).result);
    expect(billing).toMatchObject({ type: FailureType.ProviderQuotaExceeded, nonRetryable: true });
    mock.on(
      { userMessage: 'hello' },
      { error: { message: 'Slow down', type: 'rate_limit_error' }, status: 429, retryAfter: 3 },
    );
    const limited = await failureOf(runCallLlm(activities, llmRequest(model, 'hello')).result);
    expect(limited).toMatchObject({ type: FailureType.ProviderRateLimited, nextRetryDelay: 3000 });
  });
});

/** Anthropic's wire format with cache counters, which aimock's fixtures do not carry. */
function cached(body: Record<string, unknown>, res: ServerResponse): void {
  const usage = {
    input_tokens: 3,
    output_tokens: 1,
    cache_creation_input_tokens: 10,
    cache_read_input_tokens: 20,
  };
  const message = {
    id: 'msg_wire',
    type: 'message',
    role: 'assistant',
    model: 'claude-wire',
    stop_sequence: null,
  };
  if (!body.stream) {
    const content = [{ type: 'text', text: 'cached answer' }];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ ...message, content, stop_reason: 'end_turn', usage: { ...usage, output_tokens: 9 } }),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  writeEvent(res, 'message_start', {
    type: 'message_start',
    message: { ...message, content: [], stop_reason: null, usage },
  });
  writeEvent(res, 'content_block_start', {
    type: 'content_block_start',
    index: 0,
    content_block: { type: 'text', text: '' },
  });
  if (wirePauseMs > 0) setTimeout(() => finishCached(res), wirePauseMs);
  else finishCached(res);
}

function finishCached(res: ServerResponse): void {
  for (const text of ['cached ', 'answer']) {
    writeEvent(res, 'content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text },
    });
  }
  writeEvent(res, 'content_block_stop', { type: 'content_block_stop', index: 0 });
  writeEvent(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: {
      output_tokens: 9,
      input_tokens: null,
      cache_creation_input_tokens: null,
      cache_read_input_tokens: null,
    },
  });
  writeEvent(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

/** A stream that starts, then breaks off with Anthropic's `event: error`, as an overloaded API does. */
function overloaded(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const message = { id: 'msg_busy', type: 'message', role: 'assistant', model: 'claude-wire', content: [] };
  writeEvent(res, 'message_start', {
    type: 'message_start',
    message: { ...message, usage: { input_tokens: 3, output_tokens: 0 } },
  });
  writeEvent(res, 'error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  res.end();
}
