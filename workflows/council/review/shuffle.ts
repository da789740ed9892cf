import { fnv1a } from '../../../common/hash';

// The order a reviewer is shown the answers in: shuffled, so no answer is always first (models favour
// what they read first), and deterministic, so replay and a re-read of the result see the same order.
// Pure functions: workflow code and tests share them.

/** mulberry32: a seeded generator of numbers in [0, 1), enough to shuffle a few dozen answers. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `items` in an order that depends only on `seed` (Fisher-Yates driven by {@link generator}).
 * The seed is the run's workflow id, the round and the reviewer: each reviewer of a run gets its own
 * order, the same on every replay.
 */
export function seededShuffle<T>(items: readonly T[], seed: string): T[] {
  const out = [...items];
  const next = generator(fnv1a(seed));
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(next() * (i + 1));
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}

/** The label of the answer shown `index`-th (0-based): A…Z, then AA, AB, … (spreadsheet columns). */
export function responseLetter(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

/** "Response A", "Response B", …: how an answer is named to a reviewer. */
export function responseLabel(index: number): string {
  return `Response ${responseLetter(index)}`;
}
