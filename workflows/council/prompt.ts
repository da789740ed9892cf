import {
  MESSAGE_TYPES,
  type CouncilContext,
  type Expert,
  type ExpertMessageType,
} from '../../common/council';
import type { TurnPhase } from '../../common/councilApi';
import type { ChatMessage } from '../../common/llm';

/** The line that asks an expert that may send messages for JSON (the simulation answers it so). */
export const JSON_ANSWER_REQUEST = 'Answer with a JSON object with these fields:';

/** What an expert is asked to do in one turn, and the type its answer gets unless it says otherwise. */
export interface PhaseSpec {
  kind: TurnPhase;
  defaultType: ExpertMessageType;
  instruction: string;
}

/**
 * How an expert answers: plain text; a structured message to one expert or all; or (`routed`,
 * since MESSAGE_ROUTING_PATCH) a structured message to an expert, a role, a group or a list, maybe
 * urgent. The `structured` text stays as it was: recorded councils replay with the prompts they had.
 */
export type ReplyForm = 'plain' | 'structured' | 'routed';

const RECIPIENT_FIELD = {
  structured:
    '- "recipient" (optional): the id of the one expert who should read it; omit it to address everyone',
  routed:
    '- "recipient" (optional): who should read it; omit it to address everyone. One expert id, a ' +
    'list of expert ids and group names, "role:<role>" for every expert of a role, or a group name ' +
    "(only the group's members read it)",
} as const;

/** How an expert that may send messages shapes its answer; the activity adds "JSON only". */
function messagingInstructions(
  context: CouncilContext,
  expert: Expert,
  form: 'structured' | 'routed',
): string {
  const routed = form === 'routed';
  const others = context.activeExperts
    .filter((other) => other.id !== expert.id)
    .map((other) => `- ${other.id}: ${other.name}${routed && other.role ? ` (role: ${other.role})` : ''}`);
  const groups = Object.entries(context.groups ?? {}).map(
    ([name, members]) => `- ${name}: ${members.join(', ')}`,
  );
  return [
    routed
      ? 'You may send your answer as a message to some experts, and reply to a message from the history.'
      : 'You may send your answer as a message to one expert, and reply to a message from the history.',
    JSON_ANSWER_REQUEST,
    `- "type": one of ${MESSAGE_TYPES.map((type) => `"${type}"`).join(', ')}`,
    '- "content": your message',
    RECIPIENT_FIELD[form],
    '- "replyTo" (optional): the id of the message you answer, as shown in the history',
    ...(routed
      ? ['- "priority" (optional): "urgent" if its readers must read it first at their next turn']
      : []),
    'The other experts:',
    ...others,
    ...(routed && groups.length > 0 ? ['Groups:', ...groups] : []),
  ].join('\n');
}

/** The system message: who the expert is (the line tests and logs recognise), its brief, how to answer. */
export function expertSystemMessage(context: CouncilContext, expert: Expert, form: ReplyForm): ChatMessage {
  const size = context.activeExperts.length;
  const parts = [
    `You are ${expert.name}, taking part as an expert in a council of ${size}.`,
    (expert.systemPrompt ?? expert.description ?? '').trim(),
    form === 'plain' ? '' : messagingInstructions(context, expert, form),
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
  form: ReplyForm,
): ChatMessage[] {
  const turn = [`# Task\n${context.task}`, history, `## Your turn (round ${round})\n${phase.instruction}`];
  return [
    expertSystemMessage(context, expert, form),
    { role: 'user', content: turn.filter(Boolean).join('\n\n') },
  ];
}
