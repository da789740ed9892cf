import type { ServerResponse } from 'node:http';
import type { JournalEntry, LLMock } from '@copilotkit/aimock';
import { CancelledFailure } from '@temporalio/common';
import { createLlmActivities, providerClientsFromEnv, type LlmActivities } from '../../activities';
import { JSON_ONLY_INSTRUCTION } from '../../activities/providers/common';
import { geminiAdapter } from '../../activities/providers/gemini';
import { defaultConfig } from '../../client/api/defaultConfigs';
import { requiredKeyVars } from '../../client/cli/simulated';
import { startSimulatedProviders } from '../../client/simulation/simulatedProviders';
import { FailureType } from '../../common/failures';
import type { ChatMessage, ModelSpec } from '../../common/llm';
import { startMockLlm } from '../helpers/mockLlm';
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
} from './support';

const GEMINI_KEY = 'gemini-test-key-7Qx2';
const model: ModelSpec = { provider: 'gemini', model: 'gemini-2.5-flash' };
const answer = 'Approve it, but ask the treasurer for a quarterly report.';

let mock: LLMock;
let watch: ResponseWatch;
let activities: LlmActivities;
let wireModel: ModelSpec;
/** What the wire server answers: a thinking model, or one of the failures aimock cannot stage. */
let wireMode: 'thinking' | 'unfinished' | 'cut inside an event' | 'rate limited' = 'thinking';
/** The raw body of the last request to the wire server (aimock's journal holds a converted one). */
let wireBody: Record<string, unknown> = {};

beforeAll(async () => {
  mock = await startMockLlm();
  watch = watchResponses(mock, '/v1beta');
  const wireURL = serveWire(mock, '/wire', (body, res) => {
    wireBody = body;
    if (wireMode === 'thinking') thinkingAnswer(res);
    else failingAnswer(res, wireMode);
  });
  wireModel = { provider: 'gemini', model: 'gemini-wire', baseURL: wireURL, apiKeyEnv: 'WIRE_KEY' };
  // The worker's own start-up path: clients from the standard env vars.
  const env = {
    GEMINI_API_KEY: GEMINI_KEY,
    GEMINI_BASE_URL: mock.url,
    WIRE_KEY: 'wire-key-123',
    // The worker's provider policy lets the wire server's key go to it (docs/security.md).
    COUNCIL_PROVIDER_POLICY: JSON.stringify({ keys: { WIRE_KEY: [wireURL] } }),
  };
  activities = createLlmActivities(providerClientsFromEnv(env), { env, heartbeatIntervalMs: 100 });
});
afterAll(() => mock.stop());
beforeEach(() => {
  wireMode = 'thinking';
  mock.clearFixtures();
  mock.clearRequests();
  watch.reset();
});

const geminiRequests = (): JournalEntry[] =>
  mock.getRequests().filter((entry) => /:(stream)?[gG]enerateContent/.test(entry.path));

describe('Gemini adapter against aimock', () => {
  it('answers a non-streamed request with the usage the server reported, sending the key', async () => {
    mock.onMessage('plain', {
      content: answer,
      usage: { promptTokenCount: 12, candidatesTokenCount: 4, totalTokenCount: 16 },
    });
    const response = await runCallLlm(activities, llmRequest(model, 'plain', { stream: false })).result;
    expect(response).toEqual({
      content: answer,
      tokenUsage: { inputTokens: 12, outputTokens: 4, totalTokens: 16 },
      stopReason: 'stop',
      truncated: false,
      model: 'gemini-2.5-flash',
      droppedMessages: 0,
    });
    expect(geminiRequests().map((entry) => entry.path)).toEqual([
      '/v1beta/models/gemini-2.5-flash:generateContent',
    ]);
    expect(watch.responses[0]?.requestHeaders['x-goog-api-key']).toBe(GEMINI_KEY);
  });

  it('streams by default, heartbeating while it streams, and reassembles the text and the usage', async () => {
    mock.onMessage(
      'streamed',
      { content: answer, usage: { promptTokenCount: 30, candidatesTokenCount: 12 } },
      { chunkSize: 6 },
    );
    const run = runCallLlm(activities, llmRequest(model, 'streamed', { maxOutputTokens: 300 }));
    const response = await run.result;
    expect(response).toMatchObject({ content: answer, stopReason: 'stop', truncated: false });
    expect(response.tokenUsage).toEqual({ inputTokens: 30, outputTokens: 12, totalTokens: 42 });
    expect(geminiRequests()[0]?.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(geminiRequests()[0]?.body).toMatchObject({ max_tokens: 300 });
    // Heartbeats are throttled (they carry the text so far, activities/progress.ts), not one per chunk.
    expect(run.heartbeats.length).toBeGreaterThanOrEqual(1);
  });

  it('reports MAX_TOKENS as a truncated answer, streamed or not', async () => {
    mock.onMessage('long', { content: 'The first half of', finishReason: 'length' });
    for (const stream of [true, false]) {
      const response = await runCallLlm(activities, llmRequest(model, 'long', { stream })).result;
      expect(response).toMatchObject({ stopReason: 'length', truncated: true });
    }
  });

  it.each([false, true])(
    'sends system messages as systemInstruction, assistant turns as `model`, and leaves thoughts out (stream: %s)',
    async (stream) => {
      const messages: ChatMessage[] = [
        { role: 'system', content: 'You are the chair.' },
        { role: 'user', content: 'earlier' },
        { role: 'assistant', content: 'noted' },
        { role: 'user', content: 'now' },
      ];
      const request = { ...llmRequest(wireModel, ''), messages, stream, responseFormat: 'json' as const };
      const response = await runCallLlm(activities, request).result;
      expect(response).toMatchObject({
        content: '{"ok":true}',
        model: 'gemini-wire-001',
        stopReason: 'stop',
      });
      // Thinking is output: 7 thought tokens + 2 answer tokens.
      expect(response.tokenUsage).toEqual({ inputTokens: 5, outputTokens: 9, totalTokens: 14 });
      expect(wireBody).toMatchObject({
        systemInstruction: { parts: [{ text: `You are the chair.\n\n${JSON_ONLY_INSTRUCTION}` }] },
        contents: [
          { role: 'user', parts: [{ text: 'earlier' }] },
          { role: 'model', parts: [{ text: 'noted' }] },
          { role: 'user', parts: [{ text: 'now' }] },
        ],
        generationConfig: { responseMimeType: 'application/json' },
      });
    },
  );
});

describe('Gemini adapter: failures and cancellation', () => {
  it.each([
    [429, 'RESOURCE_EXHAUSTED', FailureType.ProviderRateLimited, true],
    [503, 'UNAVAILABLE', FailureType.ProviderServerError, true],
    [400, 'INVALID_ARGUMENT', FailureType.ProviderBadRequest, false],
    [401, 'UNAUTHENTICATED', FailureType.ProviderAuthentication, false],
    [404, 'NOT_FOUND', FailureType.ProviderNotFound, false],
  ] as const)('HTTP %i (%s) → %s, retryable: %s', async (status, googleStatus, type, retryable) => {
    mock.nextRequestError(status, { message: `no: ${googleStatus}`, type: googleStatus });
    const failure = await failureOf(runCallLlm(activities, llmRequest(model, 'hello')).result);
    expect(failure).toMatchObject({ type, nonRetryable: !retryable });
    expect(failure.details).toEqual([{ provider: 'gemini', status, requestId: undefined }]);
    expect(failure.message).toContain(googleStatus);
  });

  it("honours the wait Gemini's RetryInfo asks for on a 429", async () => {
    wireMode = 'rate limited';
    const failure = await failureOf(runCallLlm(activities, llmRequest(wireModel, 'hello')).result);
    expect(failure).toMatchObject({
      type: FailureType.ProviderRateLimited,
      nonRetryable: false,
      nextRetryDelay: 1500,
    });
  });

  it.each(['unfinished', 'cut inside an event'] as const)(
    'a stream that ends without a finishReason (%s) is a retryable ProviderConnectionError',
    async (mode) => {
      wireMode = mode;
      const failure = await failureOf(runCallLlm(activities, llmRequest(wireModel, 'hello')).result);
      expect(failure).toMatchObject({ type: FailureType.ProviderConnectionError, nonRetryable: false });
    },
  );

  it('scrubs the key from a failure message', async () => {
    mock.nextRequestError(400, { message: `API key ${GEMINI_KEY} not valid`, type: 'INVALID_ARGUMENT' });
    const failure = await failureOf(runCallLlm(activities, llmRequest(model, 'hello')).result);
    expect(failure.message).not.toContain(GEMINI_KEY);
    expect(failure.message).toContain('API key [redacted] not valid');
  });

  it('a connection cut mid-stream is a retryable ProviderConnectionError', async () => {
    mock.onMessage('cut', { content: answer }, { chunkSize: 4, latency: 30, truncateAfterChunks: 4 });
    const failure = await failureOf(runCallLlm(activities, llmRequest(model, 'cut')).result);
    expect(failure).toMatchObject({ type: FailureType.ProviderConnectionError, nonRetryable: false });
  });

  it('aborts the HTTP request when the activity is cancelled', async () => {
    mock.onMessage('never mind', { content: answer }, { streamingProfile: { ttft: 5000 } });
    const run = runCallLlm(activities, llmRequest(model, 'never mind'));
    await sleep(300);
    run.env.cancel();
    await expect(run.result).rejects.toBeInstanceOf(CancelledFailure);
    await responsesClosed(watch);
    expect(watch.responses).toEqual([expect.objectContaining({ finished: false })]);
  });

  it('a stream silent past its idle timeout is aborted: a retryable ProviderStreamIdle', async () => {
    const { failure, elapsedMs, responses } = await idleStreamCall(mock, activities, model, watch);
    expect(failure).toMatchObject({ type: FailureType.ProviderStreamIdle, nonRetryable: false });
    expect(failure.message).toContain('timeouts.streamIdleMs');
    expect(elapsedMs).toBeLessThan(10_000);
    expect(responses).toEqual([expect.objectContaining({ finished: false })]);
  });
});

describe('Gemini keys', () => {
  it('a missing key fails once with ProviderKeyMissing naming both variables, sending nothing', async () => {
    const keyless = createLlmActivities(providerClientsFromEnv({ GEMINI_BASE_URL: mock.url }), { env: {} });
    const failure = await failureOf(runCallLlm(keyless, llmRequest(model, 'hi')).result);
    expect(failure).toMatchObject({ type: FailureType.ProviderKeyMissing, nonRetryable: true });
    expect(failure.message).toBe(
      "gemini: GEMINI_API_KEY or GOOGLE_API_KEY is not set in the worker's environment; set it and restart the worker",
    );
    expect(geminiRequests()).toHaveLength(0);
  });

  it('takes GOOGLE_API_KEY when GEMINI_API_KEY is not set', async () => {
    mock.onMessage('google key', { content: 'ok' });
    const env = { GOOGLE_API_KEY: 'google-key-5Tz9', GEMINI_BASE_URL: mock.url };
    const google = createLlmActivities(providerClientsFromEnv(env), { env });
    await runCallLlm(google, llmRequest(model, 'google key')).result;
    expect(watch.responses[0]?.requestHeaders['x-goog-api-key']).toBe('google-key-5Tz9');
    expect(requiredKeyVars([model], env)).toEqual(['GOOGLE_API_KEY']);
    expect(requiredKeyVars([model], {})).toEqual(['GEMINI_API_KEY']);
  });

  it('with only a Gemini key, `council run` without a config asks Gemini models', () => {
    const config = defaultConfig({ GEMINI_API_KEY: 'k' });
    const models = config.kind === 'session' ? config.session.participants.map((p) => p.model) : [];
    expect(models).toEqual(geminiAdapter.defaultModels?.map((name) => ({ provider: 'gemini', model: name })));
  });

  it('simulated runs answer Gemini participants from the local mock', async () => {
    const simulated = await startSimulatedProviders({ chunkLatencyMs: 0 });
    try {
      const messages: ChatMessage[] = [
        { role: 'system', content: 'You are Gem, taking part as a panelist.' },
        { role: 'user', content: 'Should we?' },
      ];
      const run = runCallLlm(simulated.activities, { model, messages });
      expect((await run.result).content).toMatch(/^\(simulated\) /);
    } finally {
      await simulated.stop();
    }
  });
});

/** A Gemini answer with thought parts, usage with thinking tokens and a modelVersion, as JSON or SSE. */
function thinkingAnswer(res: ServerResponse): void {
  const candidate = (parts: Array<{ text: string; thought?: boolean }>, finishReason?: string) => ({
    candidates: [{ content: { role: 'model', parts }, index: 0, ...(finishReason && { finishReason }) }],
    modelVersion: 'gemini-wire-001',
  });
  const usageMetadata = {
    promptTokenCount: 5,
    candidatesTokenCount: 2,
    thoughtsTokenCount: 7,
    totalTokenCount: 14,
  };
  const streamed = res.req.url?.includes(':streamGenerateContent') ?? false;
  if (!streamed) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        ...candidate([{ text: 'Weighing it up.', thought: true }, { text: '{"ok":true}' }], 'STOP'),
        usageMetadata,
      }),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(`data: ${JSON.stringify(candidate([{ text: 'Weighing it up.', thought: true }]))}\n\n`);
  res.write(`data: ${JSON.stringify(candidate([{ text: '{"ok":' }]))}\n\n`);
  res.end(`data: ${JSON.stringify({ ...candidate([{ text: 'true}' }], 'STOP'), usageMetadata })}\n\n`);
}

/** Closes a stream early (cleanly: no socket error), or refuses with Google's RetryInfo. */
function failingAnswer(
  res: ServerResponse,
  mode: 'unfinished' | 'cut inside an event' | 'rate limited',
): void {
  if (mode === 'rate limited') {
    res.writeHead(429, { 'content-type': 'application/json' });
    const retryInfo = { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.5s' };
    res.end(
      JSON.stringify({
        error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED', details: [retryInfo] },
      }),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const chunk = {
    candidates: [{ content: { role: 'model', parts: [{ text: 'The first half' }] }, index: 0 }],
  };
  res.write(`data: ${JSON.stringify(chunk)}\n\n`);
  res.end(mode === 'cut inside an event' ? 'data: {"candidates": [{"content"' : undefined);
}
