import Anthropic from '@anthropic-ai/sdk';
import { LLMock, type JournalEntry } from '@copilotkit/aimock';
import OpenAI from 'openai';

/** A local LLM server speaking the OpenAI and Anthropic wire protocols (aimock), for one test file. */
export async function startMockLlm(): Promise<LLMock> {
  const mock = new LLMock({ port: 0, host: '127.0.0.1', logLevel: 'silent' });
  await mock.start();
  return mock;
}

/** Real SDK clients pointed at the mock, with SDK retries off: Temporal owns retries. */
export function mockClients(mock: LLMock): { openai: OpenAI; anthropic: Anthropic } {
  return {
    openai: new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'test-openai-key', maxRetries: 0 }),
    anthropic: new Anthropic({ baseURL: mock.url, apiKey: 'test-anthropic-key', maxRetries: 0 }),
  };
}

/** Chat requests in the journal, oldest first. */
export function chatRequests(mock: LLMock): JournalEntry[] {
  return mock
    .getRequests()
    .filter((entry) => entry.path.includes('/chat/completions') || entry.path.includes('/messages'));
}

/** The text of every message of a journalled request, joined, for asserting what a model was shown. */
export function promptText(entry: JournalEntry): string {
  const body = entry.body as { messages?: Array<{ content: unknown }>; system?: unknown } | null;
  const parts = [body?.system, ...(body?.messages ?? []).map((m) => m.content)];
  return parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part ?? ''))).join('\n');
}

/** The participant a request speaks for, read from the "You are NAME, taking part as ROLE." line. */
export function speakerOf(entry: { body: unknown }): string | undefined {
  const text = promptText(entry as JournalEntry);
  return /You are ([^,\n]+), taking part as/.exec(text)?.[1];
}

/**
 * Every chat request is answered "NAME: answer N" by the participant it speaks for, with usage
 * 10 in / 5 out, after `latencyMs` (a fixed delay before the answer, streamed or not). Lets tests see who was called, in which order, shown what.
 */
export function answerAsParticipants(mock: LLMock, latencyMs = 0): void {
  let count = 0;
  mock.on(
    { predicate: () => true },
    (request) => {
      count += 1;
      const speaker = speakerOf({ body: request }) ?? 'unknown';
      return { content: `${speaker}: answer ${count}`, usage: { prompt_tokens: 10, completion_tokens: 5 } };
    },
    { chaos: { latencyMs }, chunkSize: 10_000 },
  );
}

/**
 * The mock LLM of a test file that answers as its participants ({@link answerAsParticipants}, after
 * `latencyMs`): started
 * before the file's first test, stopped after its last. Read `mock` inside tests, not at file level.
 */
export function useParticipantMock(latencyMs = 0): { mock: LLMock } {
  const holder = {} as { mock: LLMock };
  beforeAll(async () => {
    holder.mock = await startMockLlm();
    answerAsParticipants(holder.mock, latencyMs);
  });
  afterAll(async () => {
    await holder.mock?.stop();
  });
  return holder;
}
