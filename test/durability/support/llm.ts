import { LLMock, type JournalEntry } from '@copilotkit/aimock';
import { chatRequests, speakerOf } from '../../helpers/mockLlm';

/** The mock LLM server of one test file; its journal keeps every call (aimock keeps 1,000 by default). */
export async function startMock(): Promise<LLMock> {
  const mock = new LLMock({ port: 0, host: '127.0.0.1', logLevel: 'silent', journalMaxEntries: 10_000 });
  await mock.start();
  return mock;
}

/** A call that reached the point of answering (after its latency): who, which of its calls, when. */
export interface AnswerStart {
  speaker: string;
  /** The model the call was made on: an expert's own, or a hedge's backup. */
  model: string;
  /** 1 for the speaker's first call, 2 for its second, ... */
  nth: number;
  at: number;
}

/** What the answerer saw: calls that reached their answer, and the calls it holds. */
export interface Answerer {
  started: AnswerStart[];
  held: AnswerStart[];
  /** Lets the held calls answer. Until then they stay in flight, observably so. */
  release(): void;
}

/** What a participant answers: by default "NAME: answer N", N unique across the run. */
export type AnswerText = (speaker: string, count: number) => string;

/**
 * Answers every chat request with `answer(speaker, N)` ("NAME: answer N", N unique across the run,
 * unless given) after `latencyMs`, usage 10 in / 5 out. aimock applies the latency before calling the factory and journals a request only
 * when its response ends, so a call whose worker dies while it waits is never journaled: the
 * journal lists completed calls only. Calls for which `hold(speaker, nth, model)` is true wait for
 * `release()` after their latency: a test knows they are in flight, with no race against the clock.
 */
export function answerWithLatency(
  mock: LLMock,
  latencyMs: number,
  hold: (speaker: string, nth: number, model: string) => boolean = () => false,
  answer: AnswerText = (speaker, count) => `${speaker}: answer ${count}`,
): Answerer {
  let release = () => undefined as void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const answerer: Answerer = { started: [], held: [], release: () => release() };
  const perSpeaker = new Map<string, number>();
  let count = 0;
  mock.on(
    { predicate: () => true },
    async (request) => {
      const speaker = speakerOf({ body: request }) ?? 'unknown';
      const nth = (perSpeaker.get(speaker) ?? 0) + 1;
      perSpeaker.set(speaker, nth);
      const model = (request as { model?: string }).model ?? '';
      const start = { speaker, model, nth, at: Date.now() };
      answerer.started.push(start);
      if (hold(speaker, nth, model)) {
        answerer.held.push(start);
        // A held call whose worker is killed is never released (nothing to clean up: a pending
        // promise holds no timer); if it were, aimock would journal an answer nobody received.
        await gate;
      }
      count += 1;
      return { content: answer(speaker, count), usage: { prompt_tokens: 10, completion_tokens: 5 } };
    },
    { chaos: { latencyMs }, chunkSize: 10_000 },
  );
  return answerer;
}

/** The worker that made a journaled call, from the OpenAI-Organization header its OPENAI_ORG_ID sets. */
export function workerTagOf(entry: JournalEntry): string | undefined {
  return entry.headers['openai-organization'];
}

/** The last user message of a journaled call: the round's message and what the speaker was shown. */
export function lastUserMessage(entry: JournalEntry): string {
  const body = entry.body as { messages?: Array<{ role: string; content: unknown }> } | null;
  const users = (body?.messages ?? []).filter((m) => m.role === 'user');
  const content = users.at(-1)?.content;
  return typeof content === 'string' ? content : JSON.stringify(content ?? '');
}

/** Completed chat calls, each with its speaker and the worker that made it. */
export function completedCalls(mock: LLMock) {
  return chatRequests(mock).map((entry) => ({
    speaker: speakerOf(entry) ?? 'unknown',
    worker: workerTagOf(entry),
    message: lastUserMessage(entry),
    at: entry.timestamp,
    entry,
  }));
}
