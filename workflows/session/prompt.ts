import { LIMITS } from '../../common/defaults';
import type { ChatMessage } from '../../common/llm';
import { jsonStringBytes, shareOut } from '../../common/size';
import type { ParticipantRecord, ParticipantResponse } from '../../common/session';

/** The system message a participant is given: the session's prompt, then its own. */
export function systemMessage(sessionPrompt: string, record: ParticipantRecord): ChatMessage {
  const parts = [sessionPrompt.trim(), record.spec.systemPrompt?.trim() ?? ''].filter(Boolean);
  const identity = `You are ${record.spec.name}, taking part as ${record.spec.role}.`;
  return { role: 'system', content: [...parts, identity].join('\n\n') };
}

/**
 * The turn a participant sees: the message of the round, then the answers it is shown. Within
 * `maxBytes` (LIMITS.maxTurnBytes at most): past it each shown answer is shortened to a fair share, with a notice (the
 * turn is part of an activity input and of the participant's carried history).
 */
export function turnText(
  message: string,
  shown: readonly ParticipantResponse[],
  maxBytes: number = LIMITS.maxTurnBytes,
): string {
  if (shown.length === 0) return message;
  const heading = (r: ParticipantResponse) => `### ${r.participantName} (${r.participantRole})\n`;
  const frame = `${message}\n\n## Responses so far in this round\n\n${shown.map(heading).join('\n\n')}`;
  const { texts } = shareOut(
    shown.map((r) => r.content),
    maxBytes - jsonStringBytes(frame),
    (kept, all) => `\n\n[council: shortened to ${kept} of ${all} bytes to fit this prompt]`,
  );
  const answers = shown.map((r, i) => `${heading(r)}${texts[i] ?? ''}`);
  return `${message}\n\n## Responses so far in this round\n\n${answers.join('\n\n')}`;
}

/** The full request for one call: system message, the participant's history, this turn. */
export function promptFor(sessionPrompt: string, record: ParticipantRecord, turn: string): ChatMessage[] {
  return [systemMessage(sessionPrompt, record), ...record.history, { role: 'user', content: turn }];
}
