import { addUsage } from '../../common/llm';
import type {
  ParticipantRecord,
  ParticipantResponse,
  SessionState,
  TranscriptEntry,
} from '../../common/session';
import { LIMITS } from '../../common/defaults';
import { jsonBytes } from '../../common/size';
import { boundHistory } from './bounds';
import { turnText } from './prompt';
import { findParticipant } from './state';

/** How many messages an observer keeps: it is never called, so no token budget trims it. */
const OBSERVER_HISTORY_LIMIT = 400;

/** Records a finished call in the participant's history and the usage totals. */
export function recordAnswer(
  state: SessionState,
  record: ParticipantRecord,
  turn: string,
  response: ParticipantResponse,
  droppedMessages: number,
): void {
  record.usage = addUsage(record.usage, response.tokenUsage);
  state.usage = addUsage(state.usage, response.tokenUsage);
  if (response.status !== 'ok') return;
  // The messages the call's trimming dropped from its prompt: the same prefix, counted alike.
  record.history.splice(0, droppedMessages);
  if (droppedMessages > 0) record.historyDropped = (record.historyDropped ?? 0) + droppedMessages;
  record.history.push({ role: 'user', content: turn }, { role: 'assistant', content: response.content });
  boundHistory(record);
}

/** Gives an observer the round's message and every answer, within the count and byte bounds. */
export function recordObserved(record: ParticipantRecord, turn: string): void {
  record.history.push({ role: 'user', content: turn });
  const over = record.history.length - OBSERVER_HISTORY_LIMIT;
  if (over > 0) {
    record.history.splice(0, over);
    record.historyDropped = (record.historyDropped ?? 0) + over;
  }
  boundHistory(record);
}

/**
 * Gives each participant named the evaluators' verdicts on the round it was not shown during it, as
 * a message of its history: what the evaluators said reaches it in the next round.
 */
export function recordVerdicts(
  state: SessionState,
  names: readonly string[],
  responses: readonly ParticipantResponse[],
): void {
  const verdicts = responses.filter((r) => r.participantRole === 'evaluator' && r.status === 'ok');
  for (const name of names) {
    const record = findParticipant(state, name);
    const shown = responses.find((r) => r.participantName === name)?.shown ?? [];
    const unseen = verdicts.filter((verdict) => !shown.includes(verdict.participantName));
    if (!record || unseen.length === 0) continue;
    const note = `[council: what the evaluators said of round ${unseen[0]?.round ?? state.round}]`;
    record.history.push({
      role: 'user',
      content: turnText(note, unseen, LIMITS.maxTurnBytes, 'Evaluations'),
    });
    boundHistory(record);
  }
}

/**
 * Keeps a system instruction for the participant's later calls: the newest ones within
 * LIMITS.maxCarriedInstructionBytes (one over it alone is not carried; the round it came in had it).
 */
export function rememberInstruction(record: ParticipantRecord, instruction: string): void {
  const kept = [...(record.instructions ?? []), instruction];
  let bytes = kept.reduce((sum, text) => sum + jsonBytes(text), 0);
  while (kept.length > 0 && bytes > LIMITS.maxCarriedInstructionBytes) bytes -= jsonBytes(kept.shift() ?? '');
  record.instructions = kept;
}

/**
 * Appends to the transcript, dropping the oldest entries past LIMITS.maxTranscriptChars, but never
 * one of the entry's own round: a round's answers (up to LIMITS.maxRoundResultBytes) may pass the cap
 * alone, and `attach` and `show` read the latest round from here. The next round drops it. Runs
 * recorded before replay alike: the one call that reads the transcript, the selector's, shows its
 * newest 32 KiB (SELECTOR_LIMITS.promptBytes), which both rules keep, and a count of the entries left
 * out, which differs only in a round over the cap; its digits (the prompt's size the budget
 * reserves for) change only when that count passes a power of ten.
 */
export function appendTranscript(state: SessionState, entry: TranscriptEntry): void {
  let chars = state.transcriptChars ?? state.transcript.reduce((sum, e) => sum + serializedSize(e), 0);
  state.transcript.push(entry);
  chars += serializedSize(entry);
  while (chars > LIMITS.maxTranscriptChars && (state.transcript[0]?.round ?? entry.round) < entry.round) {
    const dropped = state.transcript.shift();
    chars -= dropped ? serializedSize(dropped) : 0;
    state.transcriptDropped = (state.transcriptDropped ?? 0) + 1;
  }
  state.transcriptChars = chars;
}

/** An entry's size as it travels in the carried state: content and the fields around it. */
function serializedSize(entry: TranscriptEntry): number {
  return JSON.stringify(entry).length;
}

/** Transcript entries from an absolute index (entries no longer carried are skipped). */
export function transcriptFrom(state: SessionState, fromIndex: number): TranscriptEntry[] {
  return state.transcript.slice(Math.max(0, fromIndex - (state.transcriptDropped ?? 0)));
}
