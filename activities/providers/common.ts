import { DEFAULT_TIMEOUTS } from '../../common/defaults';
import type { ChatMessage, LlmRequest, LlmResponse } from '../../common/llm';
import { linkedSignal } from '../../common/linkedSignal';

/** What an adapter returns; the trimming count is added by the caller, which did the trimming. */
export type ProviderResult = Omit<LlmResponse, 'droppedMessages'>;

/** One call as an adapter sees it: the request, its (trimmed) messages and the activity's hooks. */
export interface AdapterCall {
  request: LlmRequest;
  messages: ChatMessage[];
  /** Aborts the HTTP request when the activity is cancelled. */
  signal: AbortSignal;
  /** Called for every streamed chunk, so the activity heartbeats while tokens arrive. */
  onChunk: () => void;
  /** Called with each piece of answer text as it streams in, so watchers see it grow (activities/progress.ts). */
  onText?: (delta: string) => void;
}

/**
 * A stream that ended without the provider's end marker (OpenAI `finish_reason`, Anthropic
 * `message_stop`): the connection was cut, so the answer is partial and the call is retried.
 */
export class IncompleteStreamError extends Error {
  override readonly name = 'IncompleteStreamError';
}

/**
 * The provider took the request and did not begin its response within the first-byte timeout: a
 * server that accepts connections and never answers, which the heartbeats (they go on while a call
 * waits) would otherwise leave to the attempt timeout.
 */
export class FirstByteTimeoutError extends Error {
  override readonly name = 'FirstByteTimeoutError';
}

/**
 * A stream whose text had begun sent no chunk for the participant's stream idle timeout: a connection that
 * hangs mid-answer, which the heartbeats (they go on through a stream's pauses) no longer catch.
 */
export class StreamIdleError extends Error {
  override readonly name = 'StreamIdleError';
}

/**
 * Waits at most `request.firstByteMs` for a streamed request's response to begin: both SDKs resolve
 * `create({ stream: true })` once the status and headers arrive. Past the limit `firstByte` is aborted
 * (the request's signal follows it, so its socket is closed) and a {@link FirstByteTimeoutError} thrown.
 */
async function awaitFirstByte<T>(
  call: AdapterCall,
  firstByte: AbortController,
  send: () => Promise<T>,
): Promise<T> {
  const limitMs = call.request.firstByteMs ?? DEFAULT_TIMEOUTS.firstByteMs;
  const timeout = new FirstByteTimeoutError(
    `no response within ${limitMs} ms of sending the request (the participant's timeouts.firstByteMs)`,
  );
  const timer = setTimeout(() => firstByte.abort(timeout), limitMs);
  try {
    return await send();
  } catch (error) {
    throw firstByte.signal.reason === timeout ? timeout : error;
  } finally {
    clearTimeout(timer);
  }
}

/** How an adapter reads its SDK's stream of chunks. */
export interface StreamReader<Chunk> {
  /** Takes in one chunk; returns its answer text, if any, for watchers. */
  read(chunk: Chunk): string | undefined;
  /** Whether the provider's end marker has arrived. */
  ended(): boolean;
  /** The end marker's name, for the error of a stream cut short (`a finish_reason`, `message_stop`). */
  endMarker: string;
}

/**
 * Streams one call: it must begin within the first-byte timeout ({@link awaitFirstByte}), every chunk
 * heartbeats the activity and passes its text on, once the answer's text has begun no two chunks may
 * be further apart than the stream idle timeout ({@link StreamIdleError}; the wait for the first text
 * is the model's thinking time, after events that carry none, left to the attempt timeout), and the
 * stream must end with the provider's end marker. The SDKs end the loop quietly when the request is
 * aborted, so a missing marker is the only sign of a cut: {@link IncompleteStreamError}. The signal
 * given to `open` carries the activity's cancellation and both timeouts for the whole stream, and is
 * let go of when the stream ends ({@link linkedSignal}).
 */
export async function readStream<Chunk>(
  call: AdapterCall,
  open: (signal: AbortSignal) => Promise<AsyncIterable<Chunk>>,
  reader: StreamReader<Chunk>,
): Promise<void> {
  const limitMs = call.request.streamIdleMs ?? DEFAULT_TIMEOUTS.streamIdleMs;
  const silence = new StreamIdleError(
    `no chunk for ${limitMs} ms once the answer's text had begun (the participant's timeouts.streamIdleMs)`,
  );
  const firstByte = new AbortController();
  const idle = new AbortController();
  const request = linkedSignal([call.signal, firstByte.signal, idle.signal]);
  let timer: NodeJS.Timeout | undefined;
  try {
    const stream = await awaitFirstByte(call, firstByte, () => open(request.signal));
    for await (const chunk of stream) {
      timer?.refresh();
      call.onChunk();
      const text = reader.read(chunk);
      if (text) call.onText?.(text);
      if (text && timer === undefined) timer = setTimeout(() => idle.abort(silence), limitMs);
    }
  } catch (error) {
    // Whatever ended the loop after the end marker (an idle abort, a late error) cut nothing.
    if (reader.ended()) return;
    throw idle.signal.aborted ? silence : error;
  } finally {
    clearTimeout(timer);
    request.release();
  }
  if (reader.ended()) return;
  if (idle.signal.aborted) throw silence;
  throw new IncompleteStreamError(`the stream ended before ${reader.endMarker} arrived`);
}

/**
 * Asks for JSON in words. Anthropic has no JSON flag, and OpenAI's `json_object` mode refuses a
 * prompt that does not mention JSON, so both adapters add it.
 */
export const JSON_ONLY_INSTRUCTION =
  'Answer with a single JSON object only: no prose and no Markdown code fences around it.';

/** The messages to send: in JSON mode, the instruction joins the first system message (or becomes one). */
export function withResponseFormat(
  messages: ChatMessage[],
  format: LlmRequest['responseFormat'],
): ChatMessage[] {
  if (format !== 'json') return messages;
  const firstSystem = messages.findIndex((message) => message.role === 'system');
  if (firstSystem < 0) return [{ role: 'system', content: JSON_ONLY_INSTRUCTION }, ...messages];
  return messages.map((message, index) =>
    index === firstSystem
      ? { ...message, content: `${message.content}\n\n${JSON_ONLY_INSTRUCTION}` }
      : message,
  );
}

/** A conversation's turns, without its system messages. */
export type Turn = ChatMessage & { role: 'user' | 'assistant' };

/**
 * The call's messages (in its response format) for a provider that takes the system prompt apart
 * from the turns (Anthropic's `system`, Gemini's `systemInstruction`): the system messages joined,
 * undefined when there are none, and the other turns in order.
 */
export function systemApart(call: AdapterCall): { system: string | undefined; turns: Turn[] } {
  const messages = withResponseFormat(call.messages, call.request.responseFormat);
  const system = messages.filter((message) => message.role === 'system').map((message) => message.content);
  const turns = messages.filter((message): message is Turn => message.role !== 'system');
  return { system: system.length > 0 ? system.join('\n\n') : undefined, turns };
}
