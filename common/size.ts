/**
 * Sizes as Temporal sees them. A payload is the UTF-8 bytes of `JSON.stringify(value)`, and JSON
 * escaping can make a string up to six times longer than its UTF-8 form (a control character
 * becomes `\u00XX`), so every bound on what a workflow sends is measured here, never in characters.
 * Workflow-safe: no Node built-ins (no Buffer, no TextEncoder).
 */

/** UTF-8 bytes of a string whose surrogates are paired (as JSON.stringify output always is). */
export function utf8Bytes(text: string): number {
  // ASCII (the common case) is one byte a character: a native regex test, no loop.
  if (ASCII.test(text)) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && isLow(text.charCodeAt(i + 1))) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

/** Bytes of a value as a JSON payload. */
export function jsonBytes(value: unknown): number {
  return utf8Bytes(JSON.stringify(value) ?? '');
}

const ASCII = /^[\x00-\x7f]*$/;
/** Characters JSON keeps as they are, one byte each: printable ASCII but `"` and `\`. */
const JSON_PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function isLow(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Bytes one UTF-16 code unit (or pair, `pair` true) takes inside a JSON string. */
function jsonUnitBytes(code: number, pair: boolean): number {
  if (pair) return 4;
  if (code === 0x22 || code === 0x5c) return 2;
  if (code < 0x20)
    return code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d ? 2 : 6;
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  // A lone surrogate is escaped as \uXXXX.
  if (code >= 0xd800 && code <= 0xdfff) return 6;
  return 3;
}

/**
 * The longest prefix of `text` whose JSON string form (quotes excluded) takes at most `maxBytes`,
 * never splitting a surrogate pair.
 */
export function prefixWithinJsonBytes(text: string, maxBytes: number): string {
  const candidate = text.slice(0, Math.max(0, maxBytes));
  if (JSON_PLAIN.test(candidate)) return candidate;
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    const pair = code >= 0xd800 && code <= 0xdbff && isLow(text.charCodeAt(i + 1));
    bytes += jsonUnitBytes(code, pair);
    if (bytes > maxBytes) return text.slice(0, i);
    if (pair) i += 1;
  }
  return text;
}

/** Bytes of a string inside a JSON payload, quotes excluded. */
export function jsonStringBytes(text: string): number {
  return jsonBytes(text) - 2;
}

/**
 * `text` cut to at most `maxBytes` (JSON bytes, notice included), the notice appended; unchanged
 * when it fits. `notice(kept, total)` says what was cut, so a reader never mistakes a part for the whole.
 */
export function cutWithNotice(
  text: string,
  maxBytes: number,
  notice: (keptBytes: number, totalBytes: number) => string,
): { text: string; cut: boolean } {
  const total = jsonStringBytes(text);
  if (total <= maxBytes) return { text, cut: false };
  const note = notice(maxBytes, total);
  const kept = prefixWithinJsonBytes(text, Math.max(0, maxBytes - jsonStringBytes(note)));
  return { text: kept + note, cut: true };
}

/**
 * Shares `budget` bytes among items of these sizes: items smaller than an equal share keep their
 * size, the rest split what is left equally (water-filling). The result sums to at most `budget`.
 */
export function fairShares(sizes: readonly number[], budget: number): number[] {
  const shares = sizes.map(() => 0);
  const order = sizes.map((size, index) => ({ size, index })).sort((a, b) => a.size - b.size);
  let left = Math.max(0, budget);
  order.forEach(({ size, index }, position) => {
    const equal = Math.floor(left / (order.length - position));
    shares[index] = Math.min(size, equal);
    left -= shares[index] ?? 0;
  });
  return shares;
}

/** Room left for the notice of each cut text, so a share plus its notice stays within the budget. */
export const NOTICE_ROOM = 256;

/** Texts cut to fair shares of `budget` bytes, each cut one ending in `notice(kept, total)`. */
export function shareOut(
  texts: readonly string[],
  budget: number,
  notice: (kept: number, total: number) => string,
): { texts: string[]; cut: boolean[] } {
  const sizes = texts.map(jsonStringBytes);
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (total <= budget) return { texts: [...texts], cut: texts.map(() => false) };
  const shares = fairShares(sizes, budget - NOTICE_ROOM * texts.length);
  const results = texts.map((text, i) => cutWithNotice(text, Math.max(shares[i] ?? 0, NOTICE_ROOM), notice));
  return { texts: results.map((r) => r.text), cut: results.map((r) => r.cut) };
}
