import {
  MESSAGE_TYPES,
  type CouncilContext,
  type Expert,
  type ExpertMessageType,
} from '../../common/council';
import type { TurnPhase } from '../../common/councilApi';
import type { ChatMessage } from '../../common/llm';

/** What an expert is asked to do in one turn, and the type its answer gets unless it says otherwise. */
export interface PhaseSpec {
  kind: TurnPhase;
  defaultType: ExpertMessageType;
  instruction: string;
}

/** How an expert that may send messages shapes its answer; the activity adds "JSON only". */
function messagingInstructions(context: CouncilContext, expert: Expert): string {
  const others = context.activeExperts
    .filter((other) => other.id !== expert.id)
    .map((other) => `- ${other.id}: ${other.name}`);
  return [
    'You may send your answer as a message to one expert, and reply to a message from the history.',
    'Answer with a JSON object with these fields:',
    `- "type": one of ${MESSAGE_TYPES.map((type) => `"${type}"`).join(', ')}`,
    '- "content": your message',
    '- "recipient" (optional): the id of the one expert who should read it; omit it to address everyone',
    '- "replyTo" (optional): the id of the message you answer, as shown in the history',
    'The other experts:',
    ...others,
  ].join('\n');
}

/** The system message: who the expert is (the line tests and logs recognise), its brief, how to answer. */
export function expertSystemMessage(
  context: CouncilContext,
  expert: Expert,
  structured: boolean,
): ChatMessage {
  const size = context.activeExperts.length;
  const parts = [
    `You are ${expert.name}, taking part as an expert in a council of ${size}.`,
    (expert.systemPrompt ?? expert.description ?? '').trim(),
    structured ? messagingInstructions(context, expert) : '',
  ];
  return { role: 'system', content: parts.filter(Boolean).join('\n\n') };
}

/** The full request of one turn: the task, the history this expert may see, what to do now. */
export function expertPrompt(
  context: CouncilContext,
  expert: Expert,
  phase: PhaseSpec,
  round: number,
  history: string,
  structured: boolean,
): ChatMessage[] {
  const turn = [`# Task\n${context.task}`, history, `## Your turn (round ${round})\n${phase.instruction}`];
  return [
    expertSystemMessage(context, expert, structured),
    { role: 'user', content: turn.filter(Boolean).join('\n\n') },
  ];
}
