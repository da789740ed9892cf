import OpenAI from 'openai';
import type { LlmRequest, LlmResponse } from '../common/llm';
import type { LlmActivities } from './index';

/** Provider clients, created once per worker and injected. */
export interface ProviderClients {
  openai?: OpenAI;
}

/** Builds the LLM activities over injected clients. Does no I/O until an activity runs. */
export function createLlmActivities(clients: ProviderClients): LlmActivities {
  return {
    async callLlm(request: LlmRequest): Promise<LlmResponse> {
      const client = clients.openai;
      if (!client) throw new Error('no openai client');
      const completion = await client.chat.completions.create({
        model: request.model.model,
        messages: request.messages,
      });
      const choice = completion.choices[0];
      const usage = completion.usage;
      return {
        content: choice?.message.content ?? '',
        tokenUsage: {
          inputTokens: usage?.prompt_tokens ?? 0,
          outputTokens: usage?.completion_tokens ?? 0,
          totalTokens: usage?.total_tokens ?? 0,
        },
        stopReason: choice?.finish_reason === 'length' ? 'length' : 'stop',
        truncated: choice?.finish_reason === 'length',
        model: completion.model,
        droppedMessages: 0,
      };
    },
  };
}
