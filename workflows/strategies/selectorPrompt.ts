import type { ChatMessage } from '../../common/llm';
import type { ParticipantSpec } from '../../common/participants';
import { SELECTOR_LIMITS } from '../../common/selector';
import type { TranscriptEntry } from '../../common/session';
import { cutWithNotice, jsonStringBytes } from '../../common/size';
import { FENCE_BYTES, QUOTED_TEXT_NOTICE, quotedBlock, quotedName } from '../shared/untrusted';

// The selector's prompt and the reading of its answer: pure functions, so the unit tier tests them.
// Everything written by someone else (descriptions, messages, answers, names) goes in as data: names
// quoted, texts fenced (workflows/shared/untrusted.ts), so an answer cannot pose as the instructions.

/** Who writes the strategy's notes in the transcript (with role `system`); the selector never reads them. */
export const SELECTOR_NOTE_AUTHOR = 'selector';

/** The most bytes one conversation entry takes in the selector's prompt: many short ones beat one long one. */
const ENTRY_BYTES = 6 * 1024;
/** Room in the prompt for the line breaks and the note on left-out messages around the quoted texts. */
const INSTRUCTION_BYTES = 1024;
/** A candidate's heading and fences around its description: a quoted 64-character name, its role. */
const ROSTER_HEADING_BYTES = 240;

/** What the selector is told it is for; the session's `selector.systemPrompt` is added after it. */
export function selectorSystemMessage(extra: string | undefined): ChatMessage {
  const base =
    'You choose who speaks next in a group conversation. Answer with the name of exactly one ' +
    'candidate, written as it is listed, and nothing else.';
  return { role: 'system', content: [base, extra?.trim() ?? ''].filter(Boolean).join('\n\n') };
}

/** What a candidate is for, as the selector reads it: its description, else its system prompt, else its role. */
function describe(participant: ParticipantSpec): string {
  return participant.description ?? participant.systemPrompt ?? `a ${participant.role}`;
}

/**
 * The selector's prompt (its user message within SELECTOR_LIMITS.promptBytes): the candidates with their descriptions, the newest part of the conversation
 * (the session's transcript, strategy notes left out, newest kept), and the question.
 */
export function selectorPrompt(
  candidates: readonly ParticipantSpec[],
  transcript: readonly TranscriptEntry[],
  extra: string | undefined,
): ChatMessage[] {
  const names = `[${candidates.map((c) => quotedName(c.name)).join(', ')}]`;
  // Half the prompt at most for the roster, whatever the number of candidates.
  const describeBytes = Math.min(
    1024,
    Math.floor(SELECTOR_LIMITS.promptBytes / 2 / Math.max(1, candidates.length)) - ROSTER_HEADING_BYTES,
  );
  const roster = candidates.map((c) =>
    quotedBlock('###', c.name, [c.role], cutWithNotice(describe(c), describeBytes, cutNotice).text),
  );
  const ask = `Read the conversation above. Then pick who speaks next from ${names}. Answer with the name only.`;
  const head = `## Candidates\n${QUOTED_TEXT_NOTICE}\n\n${roster.join('\n\n')}\n\n## Conversation so far\n`;
  const budget =
    SELECTOR_LIMITS.promptBytes - INSTRUCTION_BYTES - jsonStringBytes(head) - jsonStringBytes(ask);
  const conversation = newestWithin(transcript, budget);
  return [selectorSystemMessage(extra), { role: 'user', content: `${head}${conversation}\n\n${ask}` }];
}

function cutNotice(kept: number, all: number): string {
  return `\n\n[council: shortened to ${kept} of ${all} bytes for the selector]`;
}

/** The newest entries that fit in `budget` bytes, oldest first, with a line saying how many were left out. */
function newestWithin(transcript: readonly TranscriptEntry[], budget: number): string {
  const entries = transcript.filter(
    (e) => e.status === 'ok' && !(e.role === 'system' && e.from === SELECTOR_NOTE_AUTHOR),
  );
  const blocks: string[] = [];
  let left = budget;
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    const entry = entries[i];
    if (!entry) continue;
    const text = cutWithNotice(entry.content, ENTRY_BYTES, cutNotice).text;
    const block = quotedBlock('###', entry.from, [entry.role], text);
    const size = jsonStringBytes(block) + FENCE_BYTES;
    if (size > left) break;
    blocks.unshift(block);
    left -= size;
  }
  const omitted = entries.length - blocks.length;
  const lead = omitted > 0 ? `[${omitted} earlier message(s) left out]\n\n` : '';
  return blocks.length === 0 ? `${lead}(nothing yet)` : `${lead}${blocks.join('\n\n')}`;
}

/**
 * The candidate the selector's answer names, or undefined when it names none or several. Read
 * leniently, as models answer: the whole answer is a name (quotes, backticks, emphasis and a final
 * full stop aside, any case); else exactly one candidate is mentioned as a whole word (longer names
 * first, so "Bob Jr" is not also a mention of "Bob").
 */
export function parsePick(answer: string, candidates: readonly string[]): string | undefined {
  const bare = answer
    .trim()
    .replace(/^[\s"'`*_]+|[\s"'`*_.!]+$/g, '')
    .toLowerCase();
  const exact = candidates.find((name) => name.toLowerCase() === bare);
  if (exact) return exact;
  let rest = answer.slice(0, SELECTOR_LIMITS.answerBytes).toLowerCase();
  const mentioned: string[] = [];
  for (const name of [...candidates].sort((a, b) => b.length - a.length)) {
    const escaped = name.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, 'gu');
    if (pattern.test(rest)) {
      mentioned.push(name);
      rest = rest.replace(pattern, ' ');
    }
  }
  return mentioned.length === 1 ? mentioned[0] : undefined;
}
