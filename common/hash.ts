/**
 * FNV-1a over UTF-16 code units: small, and the same on every platform and run, so workflow code,
 * its replay and a client compute the same number from the same text. Not for secrets.
 */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
