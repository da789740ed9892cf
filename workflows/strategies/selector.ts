import { z } from 'zod';
import type { ParticipantSpec } from '../../common/participants';
import { SELECTOR_LIMITS, type SelectorSettings } from '../../common/selector';
import type { ParticipantResponse } from '../../common/session';
import { quotedName } from '../shared/untrusted';
import { parsePick, selectorPrompt } from './selectorPrompt';
import type { RoundContext, Strategy } from './types';

/** How a speaker was chosen: by the selector, by round-robin order when its answer named no candidate, or as the only one. */
export type PickedBy = 'selector' | 'fallback' | 'only';

/** What the selector strategy keeps between rounds and runs (bounded: SELECTOR_LIMITS.recentPicks). */
const memorySchema = z.object({
  lastSpeaker: z.string().optional(),
  picks: z
    .array(
      z.object({
        round: z.number(),
        turn: z.number(),
        speaker: z.string(),
        by: z.enum(['selector', 'fallback', 'only']),
      }),
    )
    .default([]),
});
export type SelectorMemory = z.infer<typeof memorySchema>;

/** The memory as written in an earlier round, or a fresh one (a first round, or a shape this code does not know). */
export function readMemory(value: unknown): SelectorMemory {
  const parsed = memorySchema.safeParse(value);
  return parsed.success ? parsed.data : { picks: [] };
}

/** Who may speak next: everyone, but the last speaker when repeats are off and someone else can. */
export function candidatesFor(
  participants: readonly ParticipantSpec[],
  lastSpeaker: string | undefined,
  allowRepeatedSpeaker: boolean,
): ParticipantSpec[] {
  if (allowRepeatedSpeaker || participants.length < 2) return [...participants];
  return participants.filter((p) => p.name !== lastSpeaker);
}

/** The deterministic fallback: the first candidate after the last speaker in order of joining. */
export function fallbackSpeaker(
  participants: readonly ParticipantSpec[],
  candidates: readonly ParticipantSpec[],
  lastSpeaker: string | undefined,
): ParticipantSpec | undefined {
  const start = participants.findIndex((p) => p.name === lastSpeaker) + 1;
  for (let i = 0; i < participants.length; i += 1) {
    const next = participants[(start + i) % participants.length];
    if (next && candidates.includes(next)) return next;
  }
  return candidates[0];
}

/** Where a round stands, for its termination conditions. */
export interface RoundProgress {
  turns: number;
  /** Tokens used by this round's calls so far, the selector's included. */
  tokens: number;
  /** The last answer made this round, if any. */
  lastAnswer?: ParticipantResponse;
  stopRequested: boolean;
}

/** Why the round ends now (AutoGen's termination conditions, first that holds), or undefined to go on. */
export function stopReason(settings: SelectorSettings, progress: RoundProgress): string | undefined {
  if (progress.stopRequested) return 'a person asked to stop';
  const phrase = settings.terminationPhrase;
  const last = progress.lastAnswer;
  if (phrase && last?.status === 'ok' && last.content.includes(phrase)) {
    return `${last.participantName} wrote the termination phrase ${quotedName(phrase)}`;
  }
  if (settings.maxTotalTokens !== undefined && progress.tokens >= settings.maxTotalTokens) {
    return `the round used ${progress.tokens} tokens, at least its budget of ${settings.maxTotalTokens}`;
  }
  if (progress.turns >= settings.maxTurns) return `it reached its ${settings.maxTurns} turn(s)`;
  return undefined;
}

/** What a speaker is shown: the answers made in this round since its own last turn. */
export function shownTo(name: string, responses: readonly ParticipantResponse[]): ParticipantResponse[] {
  const last = responses.map((r) => r.participantName).lastIndexOf(name);
  return responses.slice(last + 1).filter((r) => r.status === 'ok');
}

/** One pick: the speaker, how it was made, the selector's tokens and the line for the transcript. */
interface Pick {
  speaker: ParticipantSpec;
  by: PickedBy;
  tokens: number;
  note: string;
}

/**
 * Asks the selector (through the durable call `r<round>.select.t<turn>`) and reads its answer;
 * undefined only when nobody can speak (check() admits no such round).
 */
async function pickSpeaker(
  context: RoundContext,
  settings: SelectorSettings,
  turn: number,
  lastSpeaker: string | undefined,
): Promise<Pick | undefined> {
  const candidates = candidatesFor(context.participants, lastSpeaker, settings.allowRepeatedSpeaker);
  const only = candidates.length === 1 ? candidates[0] : undefined;
  if (only) return { speaker: only, by: 'only', tokens: 0, note: 'the only candidate' };
  const outcome = await context.callModel(
    { name: 'selector', ...settings },
    selectorPrompt(candidates, context.transcript, settings.systemPrompt),
    { phase: 'select', label: `t${turn}`, maxAnswerBytes: SELECTOR_LIMITS.answerBytes },
  );
  const answer = outcome.status === 'ok' ? outcome.response.content : '';
  const named = parsePick(
    answer,
    candidates.map((c) => c.name),
  );
  const chosen = candidates.find((c) => c.name === named);
  const tokens = outcome.status === 'ok' ? outcome.response.tokenUsage.totalTokens : 0;
  if (chosen) return { speaker: chosen, by: 'selector', tokens, note: 'picked by the selector' };
  const why =
    outcome.status === 'ok'
      ? `the selector answered ${quotedName(answer.slice(0, 200))}, which names no single candidate`
      : `the selector call ${outcome.status}: ${outcome.error.message}`;
  const fallback = fallbackSpeaker(context.participants, candidates, lastSpeaker);
  return (
    fallback && { speaker: fallback, by: 'fallback', tokens, note: `fallback in order of joining: ${why}` }
  );
}

/**
 * AutoGen's SelectorGroupChat: before every turn a selector model picks the next speaker from the
 * participants' descriptions and the conversation so far; the round goes on until a termination
 * condition holds (max turns, a phrase in an answer, a token budget, a person's stop). The last
 * speaker and recent picks are carried across rounds and runs in the strategy's memory.
 */
export const selector: Strategy = {
  name: 'selector',
  check(participants, settings) {
    if (!settings.selector) {
      return 'selector needs `selector:` settings in the session config: at least `model` (provider and model) for the model that picks speakers';
    }
    return participants.length === 0 ? 'selector needs at least one participant that answers' : undefined;
  },
  maxCalls: (participants, settings) => settings.selector?.maxTurns ?? participants,
  async run(context) {
    const settings = context.settings.selector;
    if (!settings) return [];
    const memory = readMemory(context.memory.read());
    const responses: ParticipantResponse[] = [];
    let tokens = 0;
    // Ends at the latest when stopReason says the turns are used up (turn = maxTurns + 1).
    for (let turn = 1; turn <= settings.maxTurns + 1; turn += 1) {
      const progress = { turns: turn - 1, tokens, lastAnswer: responses.at(-1) };
      const reason = stopReason(settings, { ...progress, stopRequested: context.stopRequested() });
      if (reason) {
        context.note(`The round ended after ${turn - 1} turn(s): ${reason}.`);
        break;
      }
      const pick = await pickSpeaker(context, settings, turn, memory.lastSpeaker);
      if (!pick) break;
      context.note(`Turn ${turn}: ${quotedName(pick.speaker.name)} speaks (${pick.note}).`);
      const response = await context.invoke(pick.speaker, shownTo(pick.speaker.name, responses));
      responses.push(response);
      tokens += pick.tokens + response.tokenUsage.totalTokens;
      memory.lastSpeaker = pick.speaker.name;
      memory.picks.push({ round: context.round, turn, speaker: pick.speaker.name, by: pick.by });
      memory.picks.splice(0, Math.max(0, memory.picks.length - SELECTOR_LIMITS.recentPicks));
      context.memory.write(memory);
    }
    return responses;
  },
};
