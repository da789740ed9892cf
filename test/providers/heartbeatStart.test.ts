import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { trimHistory } from '../../activities/trimHistory';
import type { ChatMessage } from '../../common/llm';
import { mockClients, startMockLlm } from '../helpers/mockLlm';
import { llmRequest, runCallLlm } from './support';

// With a 3 s default heartbeat timeout, the seconds a call spends counting a large history's tokens
// before it sends its request must not be silent: the timer beats through the count.
let mock: LLMock;

beforeAll(async () => {
  mock = await startMockLlm();
  mock.on({ predicate: () => true }, { content: 'Noted.' });
});
afterAll(async () => {
  await mock?.stop();
});

/**
 * A history of about `bytes` bytes of distinct words, none shared with another `seed`'s: the tokenizer
 * caches the words it has encoded, so a count of one seed says how long a first count of another takes.
 */
function largeHistory(bytes: number, seed: number): ChatMessage[] {
  const words: string[] = [];
  for (let i = 0, size = 0; size < bytes; i += 1) {
    const word = (((i + seed * 1_000_003) * 2_654_435_761) % 4_294_967_296).toString(36);
    words.push(word);
    size += word.length + 1;
  }
  const perMessage = Math.ceil(words.length / 8);
  return Array.from({ length: 8 }, (_, index) => ({
    role: index % 2 === 0 ? ('user' as const) : ('assistant' as const),
    content: words.slice(index * perMessage, (index + 1) * perMessage).join(' '),
  }));
}

describe('callLlm heartbeats', () => {
  it('beats first at its first chunk or timer, not at once; a retry beats at once', async () => {
    // Each beat that reaches the server is a write there: one at the start said nothing new.
    const slow = await startMockLlm();
    slow.on({ predicate: () => true }, { content: 'Noted.' }, { chaos: { latencyMs: 400 } });
    try {
      const calling = createLlmActivities(mockClients(slow), { env: {} });
      const request = llmRequest({ provider: 'openai', model: 'gpt-4o-mini' }, 'unused');
      const first = runCallLlm(calling, request);
      await first.result;
      expect(first.heartbeats.length).toBeGreaterThan(0);
      expect(first.heartbeats[0]).toBeGreaterThanOrEqual(350);
      // A retry beats before its request: its details (attempt 2, no text) replace the failed attempt's.
      const retry = runCallLlm(calling, request, undefined, 2);
      await retry.result;
      expect(retry.heartbeats[0]).toBeLessThan(350);
    } finally {
      await slow.stop();
    }
  });

  it('goes on beating while the history is counted: a count does not block the timer', async () => {
    const budget = 8192;
    await trimHistory(largeHistory(1024, 5), budget);
    const countStart = performance.now();
    await trimHistory(largeHistory(256 * 1024, 6), budget);
    // Ten beat intervals at least: a count that yields beats all through it.
    const intervalMs = 10;
    expect(performance.now() - countStart).toBeGreaterThan(10 * intervalMs);

    const beating = createLlmActivities(mockClients(mock), { env: {}, heartbeatIntervalMs: intervalMs });
    const run = runCallLlm(beating, {
      ...llmRequest({ provider: 'openai', model: 'gpt-4o-mini' }, 'unused'),
      messages: largeHistory(256 * 1024, 7),
      maxContextTokens: budget,
    });
    expect((await run.result).droppedMessages).toBeGreaterThan(0);
    // Counted by beats, not by their gaps, which a loaded machine stretches (a 313 ms gap in a CI run
    // against a count measured at 357 ms a moment before): a count that blocks the event loop lets
    // through the beat before it, one after it and maybe one during the request; one that yields
    // lets one through at each of its pieces whose interval has passed.
    expect(run.heartbeats.length).toBeGreaterThanOrEqual(6);
  });
});
