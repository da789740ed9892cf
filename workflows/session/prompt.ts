import { LIMITS } from '../../common/defaults';
import type { ChatMessage } from '../../common/llm';
import { jsonStringBytes, shareOut } from '../../common/size';
import type { ParticipantRecord, ParticipantResponse } from '../../common/session';
import { FENCE_BYTES, QUOTED_TEXT_NOTICE, quotedBlock } from '../shared/untrusted';

/** The system message a participant is given: the session's prompt, then its own. */
export function systemMessage(sessionPrompt: string, record: ParticipantRecord): ChatMessage {
  const parts = [sessionPrompt.trim(), record.spec.systemPrompt?.trim() ?? ''].filter(Boolean);
  const identity = `You are ${record.spec.name}, taking part as ${record.spec.role}.`;
  return { role: 'system', content: [...parts, identity].join('\n\n') };
}

/**
 * The user turn of a round whose message is a system instruction (`sendMessage('system', …)`): the
 * instruction itself goes to the model as a system message, and a model needs a turn to answer.
 */
export const SYSTEM_ROUND_TURN = 'Follow the system instruction above.';

/**
 * The turn a participant sees: the message of the round, then the answers it is shown, each fenced
 * under its author's quoted name so no answer can open a section or speak for someone else; a
 * response that is no answer (failed, skipped) is shown as a notice saying so and why. Within
 * `maxBytes` (LIMITS.maxTurnBytes at most): past it each shown answer is shortened to a fair share,
 * with a notice (the turn is part of an activity input and of the participant's carried history).
 */
export function turnText(
  message: string,
  shown: readonly ParticipantResponse[],
  maxBytes: number = LIMITS.maxTurnBytes,
  heading = 'Responses so far in this round',
): string {
  if (shown.length === 0) return message;
  const build = (contents: readonly string[]) => {
    const answers = shown.map((r, i) => {
      const notes = gaveNoAnswer(r) ? [r.participantRole, `${r.status}, no answer`] : [r.participantRole];
      return quotedBlock('###', r.participantName, notes, contents[i] ?? '');
    });
    return `${message}\n\n## ${heading}\n${QUOTED_TEXT_NOTICE}\n\n${answers.join('\n\n')}`;
  };
  const { texts } = shareOut(
    shown.map((r) => (gaveNoAnswer(r) ? noAnswer(r) : r.content)),
    maxBytes - jsonStringBytes(build([])) - shown.length * FENCE_BYTES,
    (kept, all) => `\n\n[council: shortened to ${kept} of ${all} bytes to fit this prompt]`,
  );
  return build(texts);
}

const gaveNoAnswer = (r: ParticipantResponse) => r.status === 'failed' || r.status === 'skipped';

/** What a participant is told of a response that is no answer: who, that it failed, and why. */
function noAnswer(response: ParticipantResponse): string {
  const why = response.error ? `${response.error.type}: ${response.error.message}` : 'no reason given';
  return `[council: ${response.participantName} gave no answer (${response.status}): ${why}]`;
}

/**
 * The full request for one call: system message, the system instructions the participant carries,
 * its history, this round's system instruction if it is one, this turn. Every system message stays
 * out of the history, so the activity's trimming (oldest non-system first) drops a prefix of it.
 */
export function promptFor(
  sessionPrompt: string,
  record: ParticipantRecord,
  turn: string,
  instruction?: string,
): ChatMessage[] {
  const system = (content: string): ChatMessage => ({ role: 'system', content });
  return [
    systemMessage(sessionPrompt, record),
    ...(record.instructions ?? []).map(system),
    ...record.history,
    ...(instruction === undefined ? [] : [system(instruction)]),
    { role: 'user', content: turn },
  ];
}
