import { STREAM_DETAILS_KIND, STREAM_LIMITS, type StreamDetails } from '../common/stream';

/**
 * The unfinished word at the end of the text: letters, digits, `-` and `_`, the characters provider
 * keys are made of. It waits for the character after it, so a key is never published half-written
 * (where redaction could not recognise it yet).
 */
const UNFINISHED_WORD = /[A-Za-z0-9_-]+$/;

/**
 * An unfinished "word" longer than this is no key (keys run to about 200 characters): all of it but
 * the last {@link WORD_KEEP} characters is published, so a model writing one endless token still streams.
 */
const MAX_WORD_CHARS = 1024;
const WORD_KEEP = 256;

/**
 * The text a streaming call has produced so far, as its heartbeat details show it to watchers: the
 * last {@link STREAM_LIMITS.tailChars} characters and the count of those before them. Text is
 * scrubbed of keys (`redact`, the worker's SecretRegistry) before it is published, word by word:
 * what is published is never changed afterwards, so offsets stay valid across heartbeats.
 * Memory is bounded by twice the tail plus one unfinished word, however long the answer.
 */
export class StreamedText {
  /** Received and not yet published: at most one unfinished word. */
  private pending = '';
  /** The latest published text, at most twice the tail. */
  private tail = '';
  /** Characters published in all. */
  private total = 0;

  constructor(
    private readonly attempt: number,
    private readonly redact: (text: string) => string,
    private readonly tailChars: number = STREAM_LIMITS.tailChars,
  ) {}

  /** Takes in a delta of the model's text. */
  append(delta: string): void {
    if (delta === '') return;
    this.pending += delta;
    const word = UNFINISHED_WORD.exec(this.pending)?.[0].length ?? 0;
    let cut = this.pending.length - (word > MAX_WORD_CHARS ? WORD_KEEP : word);
    // Never split a surrogate pair: its first half waits for its second.
    if (cut > 0 && isHighSurrogate(this.pending.charCodeAt(cut - 1))) cut -= 1;
    if (cut <= 0) return;
    this.publish(this.redact(this.pending.slice(0, cut)));
    this.pending = this.pending.slice(cut);
  }

  /** The heartbeat details now: the tail of what was published, and where it starts. */
  details(): StreamDetails {
    let start = Math.max(0, this.tail.length - this.tailChars);
    if (isLowSurrogate(this.tail.charCodeAt(start))) start += 1;
    const tail = this.tail.slice(start);
    return { kind: STREAM_DETAILS_KIND, attempt: this.attempt, offset: this.total - tail.length, tail };
  }

  private publish(text: string): void {
    this.total += text.length;
    this.tail += text;
    // Cut only when twice over: each cut copies the tail once, so appending stays linear.
    if (this.tail.length > 2 * this.tailChars) this.tail = this.tail.slice(-this.tailChars - 1);
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
