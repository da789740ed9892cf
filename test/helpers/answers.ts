import { LIMITS } from '../../common/defaults';

/** Where council's notice of a cut begins: every cut text ends with one (`[council: …]`). */
const NOTICE = '\n\n[council: ';

/**
 * Checks what council delivered of an answer a model wrote: the whole answer when it fits every
 * bound, else its true beginning followed by council's notice of the cut (the answer cap in the
 * activity, or the round result's bound), never other text.
 */
export function expectDeliveredOf(content: string, written: string): void {
  const cut = content.indexOf(NOTICE);
  if (cut === -1) {
    expect(content).toBe(written);
    return;
  }
  expect(cut).toBeGreaterThan(0);
  expect(written.startsWith(content.slice(0, cut))).toBe(true);
  expect(content.slice(cut)).toMatch(
    /^\n\n\[council: (answer cut at \d+ bytes|shortened to \d+ of \d+ bytes)/,
  );
}

/** True when an answer of this many bytes is cut by the activity's answer cap. */
export function overAnswerCap(answer: string): boolean {
  return Buffer.byteLength(answer) > LIMITS.maxAnswerBytes;
}
