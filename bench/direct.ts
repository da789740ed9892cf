import { MockActivityEnvironment } from '@temporalio/testing';
import { createLlmActivities, providerClientsFromEnv, type LlmActivities } from '../activities';
import { DEFAULT_MAX_CONTEXT_TOKENS, DEFAULT_TIMEOUTS } from '../common/defaults';
import type { ChatMessage, LlmRequest, LlmResponse, ModelSpec } from '../common/llm';
import type { ParticipantRecord, ParticipantResponse } from '../common/session';
import { participantSpecSchema } from '../common/participants';
import { promptFor, turnText } from '../workflows/session/prompt';

/**
 * The in-process baseline: the same participant calls a session makes, through the same activity
 * function (createLlmActivities: validation, history trimming, heartbeats, the openai adapter, the
 * HTTP call to the same LLM server), run directly in a MockActivityEnvironment: no Temporal.
 * Prompts are built by the workflow's own prompt functions, and each participant's history grows as
 * the session's does, so both paths send the same requests.
 */
export class DirectSession {
  private readonly activities: LlmActivities;
  private readonly records: ParticipantRecord[];

  constructor(
    mockUrl: string,
    names: string[],
    private readonly model: ModelSpec,
    private readonly systemPrompt = '',
  ) {
    this.activities = createLlmActivities(
      providerClientsFromEnv({ OPENAI_BASE_URL: `${mockUrl}/v1`, OPENAI_API_KEY: 'bench-key' }),
    );
    this.records = names.map((name, index) => ({
      spec: participantSpecSchema.parse({ name, role: 'panelist', model }),
      joinedAt: index + 1,
      history: [],
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    }));
  }

  /** One call, as a session's activity would run it; resolves with the answer and its dropped count. */
  async call(messages: ChatMessage[]): Promise<LlmResponse> {
    const environment = new MockActivityEnvironment({ heartbeatTimeoutMs: DEFAULT_TIMEOUTS.heartbeatMs });
    return environment.run<[LlmRequest], LlmResponse, LlmActivities['callLlm']>(this.activities.callLlm, {
      model: this.model,
      messages,
      maxContextTokens: DEFAULT_MAX_CONTEXT_TOKENS,
    });
  }

  /** A roundRobin round: each participant in turn, shown the answers before it. Returns per-call ms. */
  async sequentialRound(content: string): Promise<number[]> {
    const shown: ParticipantResponse[] = [];
    const timings: number[] = [];
    for (const record of this.records) {
      const started = performance.now();
      const response = await this.call(promptFor(this.systemPrompt, record, turnText(content, shown)));
      timings.push(performance.now() - started);
      record.history.splice(0, response.droppedMessages);
      record.history.push(
        { role: 'user', content: turnText(content, shown) },
        { role: 'assistant', content: response.content },
      );
      shown.push({
        participantName: record.spec.name,
        participantRole: record.spec.role,
        content: response.content,
        tokenUsage: response.tokenUsage,
        status: 'ok',
        truncated: response.truncated,
        round: 0,
        shown: [],
      });
    }
    return timings;
  }

  /** A broadcast round: every participant at once, no answers shown. Returns the wall time in ms. */
  async parallelRound(content: string): Promise<number> {
    const started = performance.now();
    const responses = await Promise.all(
      this.records.map((record) => this.call(promptFor(this.systemPrompt, record, content))),
    );
    const wall = performance.now() - started;
    this.records.forEach((record, index) => {
      const response = responses[index];
      if (!response) return;
      record.history.splice(0, response.droppedMessages);
      record.history.push({ role: 'user', content }, { role: 'assistant', content: response.content });
    });
    return wall;
  }
}
