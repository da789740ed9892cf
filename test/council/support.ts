import type { ChatCompletionRequest, FixtureResponse, JournalEntry, LLMock } from '@copilotkit/aimock';
import type { CouncilMode } from '../../common/council';
import type { CouncilExpert, ExecutionContext } from '../../client/api/councilTypes';
import { chatRequests, speakerOf } from '../helpers/mockLlm';

export const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;

/** An expert on the mock's default model; `name` defaults to "Expert <ID>". */
export function expert(id: string, extra: Partial<CouncilExpert> = {}): CouncilExpert {
  return { id, name: `Expert ${id.toUpperCase()}`, model, ...extra };
}

/** A council context with a synthesizer on the mock. */
export function council(
  mode: CouncilMode,
  experts: CouncilExpert[],
  extra: Partial<ExecutionContext> = {},
): ExecutionContext {
  return {
    task: 'Decide whether to adopt a four-day work week.',
    mode,
    activeExperts: experts,
    synthesisConfig: { model },
    ...extra,
  };
}

/** The user message of a request: task, history, turn. */
export function userPrompt(entry: JournalEntry | ChatCompletionRequest): string {
  const body = ('body' in entry ? entry.body : entry) as {
    messages?: Array<{ role: string; content: unknown }>;
  };
  const user = body?.messages?.filter((m) => m.role === 'user').at(-1);
  return typeof user?.content === 'string' ? user.content : '';
}

/** The system message of a request. */
export function systemPrompt(entry: JournalEntry): string {
  const body = entry.body as { messages?: Array<{ role: string; content: unknown }> } | null;
  const system = body?.messages?.find((m) => m.role === 'system');
  return typeof system?.content === 'string' ? system.content : '';
}

/** The speakers of the chat requests, in the order they reached the mock. */
export function speakers(mock: LLMock): string[] {
  return chatRequests(mock).map((entry) => speakerOf(entry) ?? 'unknown');
}

/** The chat requests one speaker made. */
export function requestsOf(mock: LLMock, speaker: string): JournalEntry[] {
  return chatRequests(mock).filter((entry) => speakerOf(entry) === speaker);
}

/** The round number an expert's request says it is taking ("## Your turn (round N)"). */
export function roundOf(entry: JournalEntry): number | undefined {
  const match = /## Your turn \(round (\d+)\)/.exec(userPrompt(entry));
  return match ? Number(match[1]) : undefined;
}

/** What a scripted speaker answers; undefined falls back to "NAME: answer N". */
export type Script = (speaker: string, request: ChatCompletionRequest) => FixtureResponse | undefined;

/**
 * Answers every chat request as the speaker it comes from, "NAME: answer N" unless `script` says
 * otherwise, after `latencyMs`. Also counts how many requests were being answered at once.
 */
export function scriptedCouncil(mock: LLMock, script: Script = () => undefined, latencyMs = 0) {
  const stats = { calls: 0, inFlight: 0, maxInFlight: 0 };
  mock.on({ predicate: () => true }, async (request) => {
    stats.calls += 1;
    const call = stats.calls;
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    try {
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      const speaker = speakerOf({ body: request }) ?? 'unknown';
      return (
        script(speaker, request) ?? {
          content: `${speaker}: answer ${call}`,
          usage: { prompt_tokens: 10, completion_tokens: 5 },
        }
      );
    } finally {
      stats.inFlight -= 1;
    }
  });
  return stats;
}

/** A JSON message answer, as an expert with canSendMessages gives it. */
export function jsonAnswer(message: Record<string, unknown>): FixtureResponse {
  return { content: JSON.stringify(message), usage: { prompt_tokens: 10, completion_tokens: 5 } };
}
