import type OpenAI from 'openai';
import type { StopReason, TokenUsage } from '../../common/llm';
import { PROVIDER_FACTS } from '../../common/providers';
import {
  SDK_CLIENT_OPTIONS,
  withoutCustomHeaders,
  type ClientSettings,
  type ProviderAdapter,
  type ProviderErrorInfo,
} from './adapter';
import { readStream, withResponseFormat, type AdapterCall, type ProviderResult } from './common';
import { lazySdk } from './lazySdk';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see lazySdk
const openaiSdk = lazySdk(() => (require('openai') as { default: typeof OpenAI }).default);

/** Sent to OpenAI-compatible servers that take no key (Ollama, llama.cpp): the SDK insists on one. */
const NO_KEY = 'no-key';

/** OpenAI's own API. */
export const openaiAdapter: ProviderAdapter<OpenAI, 'openai'> = {
  ...PROVIDER_FACTS.openai,
  createClient,
  loadSdk: openaiSdk,
  keyOf: (client) => client.apiKey ?? undefined,
  call: (client, call) => callOpenAI(client, call, false),
  describeError,
};

/** Any server speaking OpenAI's chat completions: no standard key or server, the spec names its own. */
export const openaiCompatibleAdapter: ProviderAdapter<OpenAI, 'openai-compatible'> = {
  ...PROVIDER_FACTS['openai-compatible'],
  createClient,
  loadSdk: openaiSdk,
  keyOf: (client) => client.apiKey ?? undefined,
  call: (client, call) => callOpenAI(client, call, true),
  describeError,
};

function createClient({ apiKey, baseURL, operatorsOwn }: ClientSettings): OpenAI {
  // baseURL is always set here (a default, or the spec's); the SDK would otherwise read the env itself.
  return new (openaiSdk())({
    apiKey: apiKey ?? NO_KEY,
    baseURL,
    ...SDK_CLIENT_OPTIONS,
    ...(operatorsOwn
      ? {}
      : {
          organization: null,
          project: null,
          defaultHeaders: withoutCustomHeaders('OPENAI_CUSTOM_HEADERS'),
        }),
  });
}

/** OpenAI names insufficient_quota in `code`, the rest in `type`; aborts are the SDK's own timeouts. */
function describeError(error: unknown): ProviderErrorInfo | undefined {
  const sdk = openaiSdk();
  if (error instanceof sdk.APIConnectionError || error instanceof sdk.APIUserAbortError) {
    return { kind: 'connection' };
  }
  if (!(error instanceof sdk.APIError)) return undefined;
  const errorType = error.code === 'insufficient_quota' ? error.code : (error.type ?? error.code);
  return {
    kind: 'api',
    status: error.status,
    errorType: errorType ?? undefined,
    headers: error.headers,
    requestId: error.requestID ?? undefined,
  };
}

type CompletionParams = Omit<OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming, 'stream'>;
type FinishReason = OpenAI.Chat.Completions.ChatCompletion.Choice['finish_reason'];

/**
 * Calls an OpenAI chat-completions endpoint: OpenAI itself, or any OpenAI-compatible server (Ollama,
 * vLLM, LM Studio, llama.cpp, OpenRouter, Gemini's and xAI's OpenAI endpoints) when `compatible`.
 * Streams unless `request.stream === false`; a stream must begin within the first-byte timeout (a
 * non-streamed answer's first byte comes with its end: the attempt timeout bounds it). Errors are
 * left to the caller's classifier.
 */
async function callOpenAI(client: OpenAI, call: AdapterCall, compatible: boolean): Promise<ProviderResult> {
  const params = requestParams(call, compatible);
  if (call.request.stream === false) {
    const completion = await client.chat.completions.create(
      { ...params, stream: false },
      { signal: call.signal },
    );
    const choice = completion.choices[0];
    return result(choice?.message.content ?? '', choice?.finish_reason, completion.usage, completion.model);
  }
  let content = '';
  let finishReason: FinishReason | undefined;
  let usage: OpenAI.CompletionUsage | undefined;
  let model = params.model;
  const open = (signal: AbortSignal) =>
    client.chat.completions.create(
      { ...params, stream: true, stream_options: { include_usage: true } },
      { signal },
    );
  await readStream(call, open, {
    read: (chunk) => {
      model = chunk.model || model;
      const choice = chunk.choices[0];
      const delta = choice?.delta.content ?? '';
      content += delta;
      finishReason = choice?.finish_reason ?? finishReason;
      usage = chunk.usage ?? usage;
      return delta;
    },
    ended: () => Boolean(finishReason),
    endMarker: 'a finish_reason',
  });
  return result(content, finishReason, usage, model);
}

function requestParams(call: AdapterCall, compatible: boolean): CompletionParams {
  const { request } = call;
  const maxTokens = request.maxOutputTokens;
  return {
    model: request.model.model,
    messages: withResponseFormat(call.messages, request.responseFormat),
    ...(request.temperature !== undefined && { temperature: request.temperature }),
    // OpenAI's reasoning models refuse max_tokens; many compatible servers know only max_tokens.
    ...(maxTokens !== undefined &&
      (compatible ? { max_tokens: maxTokens } : { max_completion_tokens: maxTokens })),
    ...(request.responseFormat === 'json' && { response_format: { type: 'json_object' } }),
  };
}

function result(
  content: string,
  finishReason: FinishReason | undefined,
  usage: OpenAI.CompletionUsage | null | undefined,
  model: string,
): ProviderResult {
  const stopReason = stopReasonOf(finishReason);
  return { content, tokenUsage: usageOf(usage), stopReason, truncated: stopReason === 'length', model };
}

/** OpenAI usage in neutral terms; zero when a compatible server sends none. */
export function usageOf(usage: OpenAI.CompletionUsage | null | undefined): TokenUsage {
  const inputTokens = usage?.prompt_tokens ?? 0;
  const outputTokens = usage?.completion_tokens ?? 0;
  return { inputTokens, outputTokens, totalTokens: usage?.total_tokens ?? inputTokens + outputTokens };
}

/** OpenAI `finish_reason` in neutral terms. */
export function stopReasonOf(finishReason: string | null | undefined): StopReason {
  switch (finishReason) {
    case 'stop':
    case 'length':
    case 'content_filter':
    case 'tool_calls':
      return finishReason;
    case 'function_call':
      return 'tool_calls';
    default:
      return 'other';
  }
}
