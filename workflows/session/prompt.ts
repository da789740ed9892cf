import type { ChatMessage } from '../../common/llm';
import type { ParticipantRecord, ParticipantResponse } from '../../common/session';
import { QUOTED_TEXT_NOTICE, quotedBlock } from '../shared/untrusted';

/** The system message a participant is given: the session's prompt, then its own. */
export function systemMessage(sessionPrompt: string, record: ParticipantRecord): ChatMessage {
  const parts = [sessionPrompt.trim(), record.spec.systemPrompt?.trim() ?? ''].filter(Boolean);
  const identity = `You are ${record.spec.name}, taking part as ${record.spec.role}.`;
  return { role: 'system', content: [...parts, identity].join('\n\n') };
}

/**
 * The turn a participant sees: the message of the round, then the answers it is shown, each fenced
 * under its author's quoted name so no answer can open a section or speak for someone else.
 */
export function turnText(message: string, shown: readonly ParticipantResponse[]): string {
  if (shown.length === 0) return message;
  const answers = shown.map((r) => quotedBlock('###', r.participantName, [r.participantRole], r.content));
  return `${message}\n\n## Responses so far in this round\n${QUOTED_TEXT_NOTICE}\n\n${answers.join('\n\n')}`;
}

/** The full request for one call: system message, the participant's history, this turn. */
export function promptFor(
  sessionPrompt: string,
  record: ParticipantRecord,
  message: string,
  shown: readonly ParticipantResponse[],
): ChatMessage[] {
  return [
    systemMessage(sessionPrompt, record),
    ...record.history,
    { role: 'user', content: turnText(message, shown) },
  ];
}
