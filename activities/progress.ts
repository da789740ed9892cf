import { STREAM_DETAILS_KIND, STREAM_LIMITS, type StreamDetails } from '../common/stream';
import type { KeyScrubber } from './redact';

/**
 * The length of the unfinished word at the end of `text`: letters, digits, `-` and `_`, the characters
 * provider keys are made of. It waits for the character after it, so a key is never published
 * half-written (where redaction could not recognise it yet). Scanned back from the end: a pattern
 * anchored at the end (`/[…]+$/`) backtracks from every start, quadratic in a long run of them.
 */
function unfinishedWordLength(text: string): number {
  let start = text.length;
  while (start > 0 && isKeyCharacter(text.charCodeAt(start - 1))) start -= 1;
  return text.length - start;
}

function isKeyCharacter(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || // 0-9
    (code >= 65 && code <= 90) || // A-Z
    (code >= 97 && code <= 122) || // a-z
    code === 45 || // -
    code === 95 // _
  );
}

/**
 * An unfinished "word" longer than this is no key (keys run to about 200 characters): all of it but
 * the last {@link WORD_KEEP} characters (or the longest known key's) is published, so a model writing
 * one endless token still streams. A key the cut would split (one echoed inside such a word, where
 * neither its value nor its shape is whole on either side) is held back from its start.
 */
const MAX_WORD_CHARS = 1024;
const WORD_KEEP = 256;

/**
 * The text a streaming call has produced so far, as its heartbeat details show it to watchers: the
 * last {@link STREAM_LIMITS.tailChars} characters and the count of those before them. Text is
 * scrubbed of keys (`redact`, the worker's SecretRegistry) before it is published, word by word:
 * what is published is never changed afterwards, so offsets stay valid across heartbeats.
 * Memory is bounded by twice the tail plus one unfinished word or known key, however long the answer.
 */
export class StreamedText {
  /** Received and not yet published: at most one unfinished word, or the start of a known key. */
  private pending = '';
  /** The latest published text, at most twice the tail. */
  private tail = '';
  /** Characters published in all. */
  private total = 0;

  constructor(
    private readonly attempt: number,
    private readonly secrets: KeyScrubber,
    private readonly tailChars: number = STREAM_LIMITS.tailChars,
  ) {}

  /** Takes in a delta of the model's text. */
  append(delta: string): void {
    if (delta === '') return;
    this.pending += delta;
    const word = unfinishedWordLength(this.pending);
    const wordCut = word > MAX_WORD_CHARS ? this.cutOutsideKeys() : this.pending.length - word;
    // A known key may hold characters no word has (`.`, `/`, `+`, `=`): its start waits for the rest.
    let cut = this.secrets.unfinishedKeyStart(this.pending, wordCut);
    // Never split a surrogate pair: its first half waits for its second.
    if (cut > 0 && isHighSurrogate(this.pending.charCodeAt(cut - 1))) cut -= 1;
    if (cut <= 0) return;
    this.publish(this.secrets.redact(this.pending.slice(0, cut)));
    this.pending = this.pending.slice(cut);
  }

  /**
   * Where to cut an endless word: before its last characters, moved back to the start of any key the
   * cut would split. Keys start within the kept length of the cut (a known key is no longer, and a
   * match of a key's shape runs to the word's end): one found further back is cut as a word is.
   */
  private cutOutsideKeys(): number {
    const keep = Math.max(WORD_KEEP, this.secrets.longestKey);
    const first = this.pending.length - keep;
    const spans = this.secrets.keySpans(this.pending);
    let cut = first;
    // Each pass moves the cut back to a span's start; spans may overlap, so at most one pass per span.
    for (let pass = 0; pass <= spans.length; pass += 1) {
      const split = spans.find(({ start, end }) => start < cut && cut < end && start > first - keep);
      if (!split) break;
      cut = split.start;
    }
    return cut;
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
