import { z } from 'zod';
import { LIMITS } from './defaults';
import { modelSpecSchema } from './providers';

export { modelSpecSchema, PROVIDERS, type ModelSpec, type ProviderName } from './providers';

export const chatMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/** The neutral, JSON-only request every provider adapter accepts. */
export const llmRequestSchema = z.object({
  model: modelSpecSchema,
  messages: z.array(chatMessageSchema).min(1),
  temperature: z.number().min(0).max(2).optional(),
  maxOutputTokens: z.number().int().positive().optional(),
  /** When set, the oldest non-system messages are dropped until the prompt fits this many tokens. */
  maxContextTokens: z.number().int().positive().max(LIMITS.maxContextTokens).optional(),
  /** Stream the answer and heartbeat while tokens arrive (default true). */
  stream: z.boolean().optional(),
  /** The answer is cut (with a notice) past this many UTF-8 bytes; LIMITS.maxAnswerBytes when absent. */
  maxAnswerBytes: z.number().int().min(1024).max(LIMITS.maxAnswerBytes).optional(),
  /** Ask the model for a JSON object (used for structured council messages). */
  responseFormat: z.enum(['text', 'json']).optional(),
  /** The participant's `timeouts.firstByteMs`; DEFAULT_TIMEOUTS.firstByteMs when absent. */
  firstByteMs: z.number().int().positive().optional(),
  /** The participant's `timeouts.streamIdleMs`; DEFAULT_TIMEOUTS.streamIdleMs when absent. */
  streamIdleMs: z.number().int().positive().optional(),
});
export type LlmRequest = z.infer<typeof llmRequestSchema>;

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/** Why the model stopped, normalised across providers. */
export type StopReason = 'stop' | 'length' | 'content_filter' | 'refusal' | 'tool_calls' | 'other';

/** The neutral response every provider adapter returns. */
export interface LlmResponse {
  content: string;
  tokenUsage: TokenUsage;
  stopReason: StopReason;
  /**
   * True when the answer was cut short: output-token limit (OpenAI `length`, Anthropic `max_tokens`),
   * context window, or council's own cap on one answer (LIMITS.maxAnswerBytes, with a notice appended).
   */
  truncated: boolean;
  /** The model the provider says answered. */
  model: string;
  /** How many of the oldest history messages were dropped to fit `maxContextTokens`. */
  droppedMessages: number;
  /** Which attempt of the activity answered (1 for the first); absent in results recorded before. */
  attempt?: number;
  /** Identity of the worker that made the call; absent in results recorded before, and in mock environments. */
  servedBy?: string;
}

export const ZERO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

/** Sum of two usages. */
export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}
