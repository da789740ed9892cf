import type Anthropic from '@anthropic-ai/sdk';
import type { StopReason, TokenUsage } from '../../common/llm';
import { PROVIDER_FACTS } from '../../common/providers';
import {
  SDK_CLIENT_OPTIONS,
  withoutCustomHeaders,
  type ProviderAdapter,
  type ProviderErrorInfo,
} from './adapter';
import { readStream, systemApart, type AdapterCall, type ProviderResult } from './common';
import { lazySdk } from './lazySdk';

const anthropicSdk = lazySdk(
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see lazySdk
  () => (require('@anthropic-ai/sdk') as { default: typeof Anthropic }).default,
);

/** Anthropic requires max_tokens; used when a participant sets no maxOutputTokens. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/** Anthropic accepts temperatures up to 1; council's neutral range goes to 2 (OpenAI's). */
const ANTHROPIC_MAX_TEMPERATURE = 1;

type MessageParams = Omit<Anthropic.Messages.MessageCreateParamsNonStreaming, 'stream'>;

/** The usage counters Anthropic reports, as they accumulate over a stream's events. */
interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** Anthropic's Messages API. */
export const anthropicAdapter: ProviderAdapter<Anthropic, 'anthropic'> = {
  ...PROVIDER_FACTS.anthropic,
  // null, not undefined: the SDK would read ANTHROPIC_API_KEY from the environment by itself.
  createClient: ({ apiKey, baseURL, operatorsOwn }) =>
    new (anthropicSdk())({
      apiKey: apiKey ?? null,
      baseURL,
      ...SDK_CLIENT_OPTIONS,
      ...(operatorsOwn
        ? {}
        : { authToken: null, defaultHeaders: withoutCustomHeaders('ANTHROPIC_CUSTOM_HEADERS') }),
    }),
  loadSdk: anthropicSdk,
  keyOf: (client) => client.apiKey ?? undefined,
  call: callAnthropic,
  describeError,
};

/** Anthropic puts every error's name (billing_error, overloaded_error...) in `type`. */
function describeError(error: unknown): ProviderErrorInfo | undefined {
  const sdk = anthropicSdk();
  if (error instanceof sdk.APIConnectionError || error instanceof sdk.APIUserAbortError) {
    return { kind: 'connection' };
  }
  if (!(error instanceof sdk.APIError)) return undefined;
  return {
    kind: 'api',
    status: error.status,
    errorType: error.type ?? undefined,
    headers: error.headers,
    requestId: error.requestID ?? undefined,
  };
}

/**
 * Calls the Anthropic Messages API. System messages become the `system` parameter; the rest keep
 * their order. Streams unless `request.stream === false`; a stream must begin within the first-byte
 * timeout (see {@link readStream}). Errors are left to the caller's classifier.
 */
async function callAnthropic(client: Anthropic, call: AdapterCall): Promise<ProviderResult> {
  const params = requestParams(call);
  if (call.request.stream === false) {
    const message = await client.messages.create({ ...params, stream: false }, { signal: call.signal });
    const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    return result(text, message.stop_reason, message.usage, message.model);
  }
  let content = '';
  let stopReason: string | null = null;
  let usage: AnthropicUsage = {};
  let model = params.model;
  let complete = false;
  const open = (signal: AbortSignal) => client.messages.create({ ...params, stream: true }, { signal });
  await readStream(call, open, {
    read: (event) => {
      if (event.type === 'message_start') {
        model = event.message.model;
        usage = { ...event.message.usage };
      } else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
        content += event.delta.text;
        return event.delta.text;
      } else if (event.type === 'message_delta') {
        stopReason = event.delta.stop_reason ?? stopReason;
        usage = mergeUsage(usage, event.usage);
      } else if (event.type === 'message_stop') {
        complete = true;
      }
      return undefined;
    },
    ended: () => complete,
    endMarker: 'message_stop',
  });
  return result(content, stopReason, usage, model);
}

function requestParams(call: AdapterCall): MessageParams {
  const { request } = call;
  const { system, turns } = systemApart(call);
  return {
    model: request.model.model,
    max_tokens: request.maxOutputTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    ...(system !== undefined && { system }),
    messages: turns.map(({ role, content }) => ({ role, content })),
    ...(request.temperature !== undefined && {
      temperature: Math.min(request.temperature, ANTHROPIC_MAX_TEMPERATURE),
    }),
  };
}

/** message_delta carries cumulative counts; a null there means "unchanged", not zero. */
function mergeUsage(usage: AnthropicUsage, delta: AnthropicUsage): AnthropicUsage {
  const merged = { ...usage };
  for (const [key, value] of Object.entries(delta) as Array<[keyof AnthropicUsage, unknown]>) {
    if (typeof value === 'number') merged[key] = value;
  }
  return merged;
}

function result(
  content: string,
  stopReason: string | null,
  usage: AnthropicUsage,
  model: string,
): ProviderResult {
  const neutral = stopReasonOf(stopReason);
  return { content, tokenUsage: usageOf(usage), stopReason: neutral, truncated: neutral === 'length', model };
}

/** Anthropic usage in neutral terms: cache writes and cache reads are input too. */
export function usageOf(usage: AnthropicUsage): TokenUsage {
  const inputTokens =
    (usage.input_tokens ?? 0) +
    (usage.cache_creation_input_tokens ?? 0) +
    (usage.cache_read_input_tokens ?? 0);
  const outputTokens = usage.output_tokens ?? 0;
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}

/** Anthropic `stop_reason` in neutral terms; running out of context window also cuts the answer short. */
export function stopReasonOf(stopReason: string | null | undefined): StopReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'refusal';
    case 'tool_use':
      return 'tool_calls';
    default:
      return 'other';
  }
}
