import { setImmediate } from 'node:timers/promises';
import type * as GptTokenizer from 'gpt-tokenizer';
import type { ChatMessage } from '../common/llm';
import { lazySdk } from './providers/lazySdk';

/**
 * The tokenizer loads with the first count (its tables take ~0.3 s to load): a run whose prompts
 * surely fit their budget never counts ({@link fitsUncounted}).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
const tokenizer = lazySdk(() => require('gpt-tokenizer') as typeof GptTokenizer);

/**
 * Tokens the chat format adds around each message (`<|im_start|>`, role, `<|im_sep|>`, `<|im_end|>`)
 * and once before the reply. With these, {@link promptTokens} equals gpt-tokenizer's own
 * `encodeChat(messages).length`, without encoding the whole history again for every drop.
 */
export const MESSAGE_OVERHEAD_TOKENS = 4;
export const REPLY_PRIMING_TOKENS = 3;

/** What {@link trimHistory} kept and how many of the oldest messages it left out. */
export interface TrimmedHistory {
  messages: ChatMessage[];
  droppedMessages: number;
  /** Prompt size of `messages`, as counted by {@link promptTokens}. */
  promptTokens: number;
}

/**
 * Longest run of non-space characters counted in one piece. BPE time grows with the square of a
 * run's length (a 60 KB run with no space took 12 s, stalling the worker's heartbeats), so a longer
 * run is counted in slices of this size: never fewer tokens than the whole, and within one or two
 * tokens per slice of it.
 */
const MAX_RUN_CHARS = 256;
const LONG_RUN = new RegExp(`\\S{${MAX_RUN_CHARS + 1}}`);
const RUN_SLICE = new RegExp(`(\\S{${MAX_RUN_CHARS}})`);

/**
 * Most characters counted in one piece (about 12 ms of BPE on the 2-core test machine). A history is
 * counted piece by piece, yielding to the event loop between pieces, so the activity's heartbeat
 * timer keeps beating however large the history. A piece ends before a space where it can, where the
 * tokenizer splits anyway.
 */
const PIECE_CHARS = 16 * 1024;

/** The pieces a text is counted in; their counts add up to {@link textTokens}. */
function* pieces(text: string): Generator<string> {
  for (let start = 0; start < text.length;) {
    let end = Math.min(text.length, start + PIECE_CHARS);
    if (end < text.length) {
      const space = text.lastIndexOf(' ', end);
      if (space > start) end = space;
    }
    const piece = text.slice(start, end);
    if (!LONG_RUN.test(piece)) yield piece;
    else for (const run of piece.split(RUN_SLICE)) if (run) yield run;
    start = end;
  }
}

/** Tokens of a text, in time linear in its length whatever it holds. */
export function textTokens(text: string): number {
  const { countTokens } = tokenizer();
  let tokens = 0;
  for (const piece of pieces(text)) tokens += countTokens(piece);
  return tokens;
}

/** Tokens one message takes in a chat prompt (o200k_base, the encoding of current OpenAI models). */
export function messageTokens(message: ChatMessage): number {
  return textTokens(message.content) + MESSAGE_OVERHEAD_TOKENS;
}

/** Tokens a whole chat prompt takes. Other providers' tokenizers differ; this is a close estimate. */
export function promptTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, message) => sum + messageTokens(message), REPLY_PRIMING_TOKENS);
}

/**
 * True when the prompt fits `maxContextTokens` whatever the tokenizer would count: each token stands
 * for at least one byte of UTF-8, so a prompt's bytes plus the chat format's overhead bound its
 * tokens. Most prompts are far under their budget; for them nothing is counted, nor the tokenizer
 * loaded.
 */
export function fitsUncounted(
  messages: readonly ChatMessage[],
  maxContextTokens: number | undefined,
): boolean {
  if (maxContextTokens === undefined) return true;
  let bound = REPLY_PRIMING_TOKENS;
  for (const message of messages) bound += Buffer.byteLength(message.content) + MESSAGE_OVERHEAD_TOKENS;
  return bound <= maxContextTokens;
}

/**
 * Drops the oldest non-system messages until the prompt fits `maxContextTokens`, then any answers
 * left at the front of the kept history (their questions went). System messages and
 * the final message (the one being answered) are never dropped, so when they alone exceed the budget
 * the result is still over it: the provider then refuses the request with a clear error, which is
 * better than silently answering a different question.
 *
 * The workflow stores history in the same order, so it can drop the same `droppedMessages` prefix.
 */
export async function trimHistory(
  messages: readonly ChatMessage[],
  maxContextTokens?: number,
): Promise<TrimmedHistory> {
  const sizes = await countEach(messages);
  let total = sizes.reduce((sum, size) => sum + size, REPLY_PRIMING_TOKENS);
  if (maxContextTokens === undefined || total <= maxContextTokens) {
    return { messages: [...messages], droppedMessages: 0, promptTokens: total };
  }
  const lastIndex = messages.length - 1;
  const dropped = new Set<number>();
  const drop = (index: number) => {
    dropped.add(index);
    total -= sizes[index] ?? 0;
  };
  let index = 0;
  for (; index < lastIndex && total > maxContextTokens; index += 1) {
    if (messages[index]?.role !== 'system') drop(index);
  }
  // An answer whose question is gone reads as an answer to nothing, and some providers refuse a
  // conversation that opens with one: the kept history begins with a question.
  for (; index < lastIndex && messages[index]?.role !== 'user'; index += 1) {
    if (messages[index]?.role === 'assistant') drop(index);
  }
  return {
    messages: messages.filter((_, index) => !dropped.has(index)),
    droppedMessages: dropped.size,
    promptTokens: total,
  };
}

/** {@link messageTokens} of each message, yielding to the event loop after every piece's worth. */
async function countEach(messages: readonly ChatMessage[]): Promise<number[]> {
  const { countTokens } = tokenizer();
  const sizes: number[] = [];
  let sinceYield = 0;
  for (const message of messages) {
    let tokens = MESSAGE_OVERHEAD_TOKENS;
    for (const piece of pieces(message.content)) {
      tokens += countTokens(piece);
      sinceYield += piece.length;
      if (sinceYield >= PIECE_CHARS) {
        sinceYield = 0;
        await setImmediate();
      }
    }
    sizes.push(tokens);
  }
  return sizes;
}
