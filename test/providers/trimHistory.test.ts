import { countTokens, encodeChat } from 'gpt-tokenizer';
import {
  fitsUncounted,
  messageTokens,
  promptTokens,
  textTokens,
  trimHistory,
} from '../../activities/trimHistory';
import type { ChatMessage } from '../../common/llm';

const system: ChatMessage = { role: 'system', content: 'You are a careful reviewer on a council of five.' };
const turn = (
  index: number,
  role: 'user' | 'assistant' = index % 2 === 0 ? 'user' : 'assistant',
): ChatMessage => ({
  role,
  content: `Message ${index}: ${'the committee weighed the proposal and its costs carefully. '.repeat(5)}`,
});
const history = (count: number): ChatMessage[] => Array.from({ length: count }, (_, index) => turn(index));

describe('trimHistory', () => {
  it('counts a prompt exactly as the tokenizer encodes the chat', () => {
    const messages = [system, ...history(5)];
    expect(promptTokens(messages)).toBe(encodeChat(messages, 'gpt-4o').length);
  });

  it('lets a prompt through uncounted only when its bytes prove it fits', async () => {
    const bytes = (messages: ChatMessage[]) =>
      messages.reduce((sum, message) => sum + Buffer.byteLength(message.content) + 4, 3);
    // Multi-byte text and a long run with no space: the two ways tokens and characters differ most.
    const messages = [
      system,
      ...history(4),
      { role: 'user' as const, content: `Ünïcødé ${'x'.repeat(900)} 日本語` },
    ];
    expect(fitsUncounted(messages, undefined)).toBe(true);
    expect(fitsUncounted(messages, bytes(messages))).toBe(true);
    expect(promptTokens(messages)).toBeLessThanOrEqual(bytes(messages));
    expect(fitsUncounted(messages, bytes(messages) - 1)).toBe(false);
    // Far over the real count too, so trimHistory, not this bound, decides: it would keep them all.
    expect((await trimHistory(messages, bytes(messages) - 1)).droppedMessages).toBe(0);
  });

  it('keeps everything and drops nothing when no budget is set or the prompt fits', async () => {
    const messages = [system, ...history(4)];
    expect(await trimHistory(messages)).toEqual({
      messages,
      droppedMessages: 0,
      promptTokens: promptTokens(messages),
    });
    expect((await trimHistory(messages, promptTokens(messages))).droppedMessages).toBe(0);
  });

  it('drops the oldest non-system messages until the prompt fits', async () => {
    const messages = [system, ...history(6)];
    const budget = promptTokens([system, ...messages.slice(-2)]);
    const trimmed = await trimHistory(messages, budget);
    expect(trimmed.droppedMessages).toBe(4);
    expect(trimmed.messages).toEqual([system, ...messages.slice(-2)]);
    expect(trimmed.promptTokens).toBe(budget);
    expect(trimmed.promptTokens).toBe(encodeChat(trimmed.messages, 'gpt-4o').length);
  });

  it('drops a whole exchange more when the budget is one token short', async () => {
    const messages = [system, ...history(6)];
    const budget = promptTokens([system, ...messages.slice(-4)]);
    expect((await trimHistory(messages, budget)).droppedMessages).toBe(2);
    expect((await trimHistory(messages, budget - 1)).droppedMessages).toBe(4);
  });

  // Providers are sent a history that begins with a question: an answer whose question was dropped
  // reads as an answer to nothing, and some providers refuse a conversation that opens with one.
  it('drops an answer whose question it dropped, so the kept history begins with a question', async () => {
    const messages = [system, ...history(5)];
    const trimmed = await trimHistory(messages, promptTokens([system, ...messages.slice(-2)]));
    expect(trimmed.messages).toEqual([system, messages[5]]);
    expect(trimmed.droppedMessages).toBe(4);
    expect(trimmed.promptTokens).toBe(promptTokens(trimmed.messages));
  });

  it('never drops a system message, wherever it sits in the history', async () => {
    const reminder: ChatMessage = { role: 'system', content: 'Reminder: answer in one paragraph.' };
    const messages = [system, turn(0), turn(1), reminder, turn(2), turn(3)];
    const trimmed = await trimHistory(messages, promptTokens([system, reminder, turn(3)]));
    expect(trimmed.messages).toEqual([system, reminder, turn(3)]);
    expect(trimmed.droppedMessages).toBe(3);
  });

  it('never drops the final message, even when the budget is smaller than it', async () => {
    const messages = [system, ...history(3)];
    const trimmed = await trimHistory(messages, 10);
    expect(trimmed.messages).toEqual([system, messages[3]]);
    expect(trimmed.droppedMessages).toBe(2);
    expect(trimmed.promptTokens).toBeGreaterThan(10);
  });

  it('counts per-message overhead, so many short messages still get trimmed', async () => {
    const short = Array.from({ length: 50 }, (_, index): ChatMessage => ({
      role: 'user',
      content: `${index}`,
    }));
    const overheadOnly = short.reduce((sum, message) => sum + messageTokens(message), 0);
    expect(overheadOnly).toBeGreaterThan(50 * 4);
    expect((await trimHistory(short, 30)).droppedMessages).toBeGreaterThan(40);
  });
});

describe('token counting of hostile text', () => {
  // BPE is quadratic in the length of a run of letters with no space (32 KiB: 5 s, 64 KiB: 21 s
  // here): a 256 KiB one used to block the worker for minutes, heartbeats included.
  it('counts a 256 KiB run with no space without stalling, never below the whole count', () => {
    const run = 'qwertyuiopasdfgh'.repeat(16 * 1024);
    const tokens = messageTokens({ role: 'assistant', content: run });
    expect(tokens).toBeGreaterThan(run.length / 16);
    const sample = run.slice(0, 2000);
    expect(textTokens(sample)).toBeGreaterThanOrEqual(countTokens(sample));
    expect(textTokens(sample)).toBeLessThanOrEqual(countTokens(sample) + 2 * Math.ceil(2000 / 256));
  }, 30_000);

  it('counts ordinary text exactly as the tokenizer does', () => {
    const text = 'the committee weighed the proposal and its costs carefully. '.repeat(50);
    expect(textTokens(text)).toBe(countTokens(text));
  });

  it('counts a long text in pieces to the same total, cut between words', () => {
    const text = 'the committee weighed the proposal and its costs carefully. '.repeat(2000);
    expect(text.length).toBeGreaterThan(100 * 1024);
    expect(textTokens(text)).toBe(countTokens(text));
  });
});
