/** Replaces a secret in any message a failure carries out of the worker. */
export const REDACTED = '[redacted]';

/**
 * Shapes of provider keys (OpenAI and OpenRouter `sk-…`, Anthropic `sk-ant-…`, xAI `xai-…`, Google
 * `AIza…`): caught even when the key is not one this worker knows, e.g. echoed by a proxy.
 */
const KEY_PATTERNS: readonly RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{8,}/g,
  /\bxai-[A-Za-z0-9_-]{8,}/g,
  /\bAIza[A-Za-z0-9_-]{20,}/g,
];

/**
 * Shorter values are placeholders, not credentials (provider keys run to 40 characters and more; a local
 * server takes `ollama` or `none`): scrubbing them would mangle ordinary words in answers.
 */
const MIN_SECRET_LENGTH = 12;

/** Where a key sits in a text: `text.slice(start, end)` is what {@link SecretRegistry.redact} replaces. */
export interface KeySpan {
  start: number;
  end: number;
}

/** What scrubs text of keys: the replacement, and where the keys are (to cut text between them). */
export interface KeyScrubber {
  redact(text: string): string;
  keySpans(text: string): KeySpan[];
  /**
   * Where a known key starts that `text.slice(0, end)` stops inside of (what precedes `end` is the
   * start of a key, not all of it): the earliest such start, or `end` if there is none.
   */
  unfinishedKeyStart(text: string, end: number): number;
  /** The length of the longest key known by value. */
  readonly longestKey: number;
}

/** The keys a worker holds, collected as clients are built, so failures can be scrubbed of them. */
export class SecretRegistry implements KeyScrubber {
  private readonly secrets = new Set<string>();
  longestKey = 0;

  /** Remembers a key; empty and very short values are ignored. */
  add(secret: string | null | undefined): void {
    if (!secret || secret.length < MIN_SECRET_LENGTH) return;
    this.secrets.add(secret);
    this.longestKey = Math.max(this.longestKey, secret.length);
  }

  /** Every known key in `text`, and every match of a key's shape (which may overlap them). */
  keySpans(text: string): KeySpan[] {
    const spans: KeySpan[] = [];
    for (const secret of this.secrets) {
      for (let at = text.indexOf(secret); at !== -1; at = text.indexOf(secret, at + 1)) {
        spans.push({ start: at, end: at + secret.length });
      }
    }
    for (const pattern of KEY_PATTERNS) {
      for (const match of text.matchAll(pattern)) {
        spans.push({ start: match.index, end: match.index + match[0].length });
      }
    }
    return spans;
  }

  unfinishedKeyStart(text: string, end: number): number {
    let earliest = end;
    for (const secret of this.secrets) {
      const first = secret.charAt(0);
      for (let at = text.indexOf(first, Math.max(0, end - secret.length + 1)); at !== -1 && at < earliest;) {
        if (secret.startsWith(text.slice(at, end))) earliest = at;
        else at = text.indexOf(first, at + 1);
      }
    }
    return earliest;
  }

  /** `text` with every known key and anything shaped like a key replaced by {@link REDACTED}. */
  redact(text: string): string {
    let result = text;
    // Longest first, so a key that contains another is replaced whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      result = result.split(secret).join(REDACTED);
    }
    return KEY_PATTERNS.reduce((current, pattern) => current.replace(pattern, REDACTED), result);
  }
}
