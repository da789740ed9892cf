import type { LlmRequest, LlmResponse } from '../common/llm';

// Its own module so that llm.ts, which implements it, need not import index.ts, which re-exports llm.ts.

/** The activities a council worker serves. Workflows import this type only. */
export interface LlmActivities {
  /** One LLM call through the provider the request names. */
  callLlm(request: LlmRequest): Promise<LlmResponse>;
}
