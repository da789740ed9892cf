import type {
  GenerateContentParameters,
  GenerateContentResponse,
  GenerateContentResponseUsageMetadata,
  GoogleGenAI,
} from '@google/genai';
import { z } from 'zod';
import type { StopReason, TokenUsage } from '../../common/llm';
import { PROVIDER_FACTS } from '../../common/providers';
import type { ProviderAdapter, ProviderErrorInfo } from './adapter';
import {
  awaitFirstByte,
  IncompleteStreamError,
  withResponseFormat,
  type AdapterCall,
  type ProviderResult,
} from './common';

/**
 * The Gemini API version called. Pinned: the SDK would otherwise take GOOGLE_GENAI_API_VERSION from
 * the environment, and v1beta is where system instructions and JSON mode live.
 */
const API_VERSION = 'v1beta';

/** The SDK client with the key it was built with (the SDK keeps its own copy private). */
export interface GeminiClient {
  /**
   * Built once the SDK has loaded. The SDK loads when a Gemini client is first made, not with every
   * module that imports the registry: it is the largest of the SDKs, and the CLI starts without it.
   */
  genai: Promise<GoogleGenAI>;
  apiKey: string | undefined;
}

/** Gemini's native API (generateContent), through @google/genai. */
export const geminiAdapter: ProviderAdapter<GeminiClient, 'gemini'> = {
  ...PROVIDER_FACTS.gemini,
  // Everything explicit: left out, the SDK reads keys, server and Vertex settings from the environment.
  // It retries only when given retryOptions, so none are given: the activity retry policy owns retries.
  createClient: ({ apiKey, baseURL }) => ({
    genai: import('@google/genai').then(
      ({ GoogleGenAI }) =>
        new GoogleGenAI({
          vertexai: false,
          apiKey,
          // The platform's fetch, as the other SDKs use it. Without one, the SDK swaps in a dispatcher
          // it finds through Node's global undici symbol, which another realm (a test runner's VM) lacks.
          httpOptions: {
            baseUrl: baseURL,
            apiVersion: API_VERSION,
            fetch: (input, init) => fetch(input, init),
          },
        }),
    ),
    apiKey,
  }),
  keyOf: (client) => client.apiKey,
  call: callGemini,
  describeError,
};

/**
 * Calls generateContent. System messages become the `systemInstruction`; assistant turns are the
 * `model` role. Streams unless `request.stream === false`; a stream must begin within the first-byte
 * timeout (see {@link awaitFirstByte}) and end with a finishReason, or it was cut.
 */
async function callGemini(client: GeminiClient, call: AdapterCall): Promise<ProviderResult> {
  const params = requestParams(call);
  // Before the first-byte timer starts: loading the SDK is not the provider being slow.
  const genai = await client.genai;
  if (call.request.stream === false) {
    const response = await genai.models.generateContent({
      ...params,
      config: { ...params.config, abortSignal: call.signal },
    });
    return resultOf([response], params.model);
  }
  const stream = await awaitFirstByte(call, (signal) =>
    genai.models.generateContentStream({ ...params, config: { ...params.config, abortSignal: signal } }),
  );
  const chunks: GenerateContentResponse[] = [];
  for await (const chunk of stream) {
    call.onChunk();
    chunks.push(chunk);
    const delta = answerText(chunk);
    if (delta) call.onText?.(delta);
  }
  // The SDK ends the loop quietly when the request is aborted, so a missing finishReason is the only sign.
  if (!chunks.some((chunk) => chunk.candidates?.[0]?.finishReason)) {
    throw new IncompleteStreamError('the stream ended before a finishReason arrived');
  }
  return resultOf(chunks, params.model);
}

function requestParams(call: AdapterCall): GenerateContentParameters {
  const { request } = call;
  const messages = withResponseFormat(call.messages, request.responseFormat);
  const system = messages.filter((message) => message.role === 'system').map((message) => message.content);
  return {
    model: request.model.model,
    contents: messages.flatMap((message) =>
      message.role === 'system'
        ? []
        : [{ role: message.role === 'assistant' ? 'model' : 'user', parts: [{ text: message.content }] }],
    ),
    config: {
      ...(system.length > 0 && { systemInstruction: system.join('\n\n') }),
      ...(request.temperature !== undefined && { temperature: request.temperature }),
      ...(request.maxOutputTokens !== undefined && { maxOutputTokens: request.maxOutputTokens }),
      ...(request.responseFormat === 'json' && { responseMimeType: 'application/json' }),
    },
  };
}

/** The answer's text in one chunk: thoughts are not the answer. */
function answerText(chunk: GenerateContentResponse): string {
  let text = '';
  for (const part of chunk.candidates?.[0]?.content?.parts ?? []) if (!part.thought) text += part.text ?? '';
  return text;
}

/** One answer from its chunks (a non-streamed answer is one chunk); thoughts are not the answer. */
function resultOf(chunks: GenerateContentResponse[], requested: string): ProviderResult {
  let content = '';
  let finishReason: string | undefined;
  let usage: GenerateContentResponseUsageMetadata | undefined;
  let model = requested;
  for (const chunk of chunks) {
    const candidate = chunk.candidates?.[0];
    content += answerText(chunk);
    finishReason = candidate?.finishReason ?? finishReason;
    usage = chunk.usageMetadata ?? usage;
    model = chunk.modelVersion || model;
  }
  const stopReason = stopReasonOf(finishReason);
  return { content, tokenUsage: usageOf(usage), stopReason, truncated: stopReason === 'length', model };
}

/** Gemini usage in neutral terms: thinking is output, tool-use prompts are input (both are billed so). */
function usageOf(usage: GenerateContentResponseUsageMetadata | undefined): TokenUsage {
  const inputTokens = (usage?.promptTokenCount ?? 0) + (usage?.toolUsePromptTokenCount ?? 0);
  const outputTokens = (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0);
  return { inputTokens, outputTokens, totalTokens: usage?.totalTokenCount ?? inputTokens + outputTokens };
}

/** Gemini `finishReason` in neutral terms. */
function stopReasonOf(finishReason: string | undefined): StopReason {
  switch (finishReason) {
    case 'STOP':
      return 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
      return 'content_filter';
    case 'MALFORMED_FUNCTION_CALL':
      return 'tool_calls';
    default:
      return 'other';
  }
}

/**
 * The SDK's ApiError carries the status and the body as JSON text, no headers; the wait a server asks
 * for is in the body (RetryInfo), so it is handed on as the Retry-After the classifier reads. A stream
 * that closes inside an event ends with a plain Error of the SDK's own wording.
 */
function describeError(error: unknown): ProviderErrorInfo | undefined {
  if (error instanceof Error && error.message === 'Incomplete JSON segment at the end') {
    return { kind: 'connection' };
  }
  if (!isApiError(error)) return undefined;
  const body = googleErrorOf(error.message);
  const wait = /^(\d+(?:\.\d+)?)s$/.exec(
    body?.details?.find((detail) => detail.retryDelay)?.retryDelay ?? '',
  );
  return {
    kind: 'api',
    status: error.status,
    errorType: body?.status,
    ...(wait?.[1] && {
      headers: new Headers({ 'retry-after-ms': String(Math.ceil(Number(wait[1]) * 1000)) }),
    }),
  };
}

/** The SDK's ApiError, known by its shape: the class is in the SDK, which loads only on first use. */
function isApiError(error: unknown): error is Error & { status: number } {
  const { name, status, message } = (error ?? {}) as { name?: unknown; status?: unknown; message?: unknown };
  return name === 'ApiError' && typeof status === 'number' && typeof message === 'string';
}

/**
 * Google's error body, `{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[...]}}`, as far
 * as it is read: RetryInfo's `retryDelay` is a protobuf Duration ("13s", "0.5s").
 */
const googleErrorSchema = z.object({
  error: z.object({
    status: z.string().optional(),
    details: z.array(z.object({ retryDelay: z.string().optional() })).optional(),
  }),
});

/** The error body within the SDK's message (a stream's error is prefixed with "got status: ..."). */
function googleErrorOf(message: string): z.infer<typeof googleErrorSchema>['error'] | undefined {
  try {
    return googleErrorSchema.safeParse(JSON.parse(message.slice(message.indexOf('{')))).data?.error;
  } catch {
    return undefined; // not JSON: a proxy's HTML page, say
  }
}
