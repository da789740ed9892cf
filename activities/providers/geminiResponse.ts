import type { GenerateContentResponse, GenerateContentResponseUsageMetadata } from '@google/genai';
import { z } from 'zod';
import type { StopReason, TokenUsage } from '../../common/llm';
import type { ProviderErrorInfo } from './adapter';
import type { ProviderResult } from './common';

// What the Gemini API sends back, read in neutral terms: answers, usage, stop reasons and errors.
// The adapter that sends the request is gemini.ts.

/** The answer's text in one chunk: thoughts are not the answer. */
export function answerText(chunk: GenerateContentResponse): string {
  let text = '';
  for (const part of chunk.candidates?.[0]?.content?.parts ?? []) if (!part.thought) text += part.text ?? '';
  return text;
}

/** One answer from its chunks (a non-streamed answer is one chunk); thoughts are not the answer. */
export function resultOf(chunks: GenerateContentResponse[], requested: string): ProviderResult {
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
export function describeError(error: unknown): ProviderErrorInfo | undefined {
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
