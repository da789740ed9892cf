// The seed's "Message Filtering: filter by type, sender, relevance", relevance part: how much of a
// few words a message is about, by the terms they share. No model is called, so the same messages
// and words always give the same scores, in the library, the CLI and workflow code alike.

/** Most characters of a relevance query: a few words naming a subject, not a document. */
export const MAX_RELEVANCE_QUERY_CHARS = 500;

/** Most characters of a text read for terms: far above a stored message (COUNCIL_LIMITS). */
const MAX_TEXT_CHARS = 200_000;

/** Words too common to say what a text is about: a message sharing only these shares no subject. */
const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have he her his how i if ' +
    'in into is it its me my no not of on or our she so than that the their them then there these they ' +
    'this those to too us was we were what when where which while who why will with would you your'
  ).split(' '),
);

/** Runs of letters and digits (any script); apostrophes and hyphens split words. */
const WORD = /[\p{L}\p{N}]+/gu;

/** A plural and its singular as one term: "costs" and "cost", "policies" and "policy". */
function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/**
 * The terms of a text, in the order they first appear: lower-case words of two characters or more,
 * stopwords left out, plurals read as their singular.
 */
export function termsOf(text: string): Set<string> {
  const terms = new Set<string>();
  for (const [word] of text.slice(0, MAX_TEXT_CHARS).toLowerCase().matchAll(WORD)) {
    if (word.length < 2 || STOPWORDS.has(word)) continue;
    terms.add(singular(word));
  }
  return terms;
}

/**
 * How relevant `text` is to a query: the share of the query's terms it contains, from 0 (none, or a
 * query without terms) to 1 (all), rounded to three decimals so scores print and compare stably.
 */
export function relevanceOf(queryTerms: ReadonlySet<string>, text: string): number {
  if (queryTerms.size === 0) return 0;
  const terms = termsOf(text);
  let shared = 0;
  for (const term of queryTerms) if (terms.has(term)) shared += 1;
  return Math.round((shared / queryTerms.size) * 1000) / 1000;
}
