import { z } from 'zod';
import { LIMITS } from '../../../common/defaults';
import { PEER_REVIEW_LIMITS } from '../../../common/peerReview';
import { zodProblem } from '../../../common/validation';

/** The JSON object a reviewer is asked for (see the review prompt). */
export const rankingReplySchema = z.object({
  ranking: z
    .array(z.string(), { error: '"ranking" must be a list of labels such as "Response A"' })
    .min(1, '"ranking" is empty: list every response, best first')
    .max(LIMITS.maxParticipants),
  rationale: z.string().optional(),
});

/** A reviewer's answer read as a ranking, or what is wrong with it (said back to it on the retry). */
export type ParsedRanking =
  { ok: true; order: number[]; rationale?: string } | { ok: false; problem: string };

/** "Response B", "response b", "B" and "b" all name the answer labelled "Response B". */
function letterOf(item: string): string {
  return item
    .trim()
    .replace(/^response\s+/i, '')
    .toUpperCase();
}

/** The JSON value in a reply: bare, fenced in Markdown, or the outermost object amid prose. */
function readJson(raw: string): unknown {
  const text = raw.trim();
  const unfenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/.exec(text)?.[1] ?? text;
  try {
    return JSON.parse(unfenced);
  } catch {
    const start = text.indexOf('{');
    const end = text.lastIndexOf('}');
    if (start < 0 || end <= start) return undefined;
    try {
      return JSON.parse(text.slice(start, end + 1));
    } catch {
      return undefined;
    }
  }
}

/**
 * Reads a reviewer's answer against the labels it was shown (in shown order). A ranking must name
 * every shown answer exactly once, and nothing else: a partial or padded list is a problem, not a
 * guess, so every counted ranking is complete. `order` holds shown indices, best first.
 */
export function parseRanking(raw: string, labels: readonly string[]): ParsedRanking {
  const json = readJson(raw);
  if (json === undefined) return { ok: false, problem: 'the answer is not a JSON object' };
  const parsed = rankingReplySchema.safeParse(json);
  if (!parsed.success) return { ok: false, problem: zodProblem(parsed.error) };
  const letters = labels.map(letterOf);
  const order: number[] = [];
  for (const item of parsed.data.ranking) {
    const index = letters.indexOf(letterOf(item));
    if (index < 0) return { ok: false, problem: `${JSON.stringify(item)} is not one of the responses shown` };
    if (order.includes(index)) return { ok: false, problem: `${labels[index]} is ranked twice` };
    order.push(index);
  }
  const missing = labels.filter((_, index) => !order.includes(index));
  if (missing.length > 0) return { ok: false, problem: `the ranking leaves out ${missing.join(', ')}` };
  const rationale = parsed.data.rationale?.trim().slice(0, PEER_REVIEW_LIMITS.maxRationaleChars);
  return { ok: true, order, ...(rationale ? { rationale } : {}) };
}
