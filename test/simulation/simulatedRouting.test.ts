import type { ChatCompletionRequest } from '@copilotkit/aimock';
import { simulatedAnswer } from '../../client/simulation/simulatedAnswers';
import { councilContextSchema, type ExpertMessageData } from '../../common/council';
import { formatHistory } from '../../workflows/council/history';
import { expertPrompt } from '../../workflows/council/prompt';
import { council, expert } from '../council/support';

const context = councilContextSchema.parse(
  council(
    'sequential',
    [
      expert('analyst', { name: 'Cost Analyst', role: 'analyst', canSendMessages: true }),
      expert('skeptic', { name: 'Skeptic', role: 'critic', canSendMessages: true }),
      expert('auditor', { name: 'Auditor', role: 'critic' }),
    ],
    { enableMessaging: true, groups: { finance: ['analyst', 'auditor'] } },
  ),
);
const phase = { kind: 'answer' as const, defaultType: 'response' as const, instruction: 'Answer.' };
const said: ExpertMessageData = {
  id: 'm-1',
  sender: 'auditor',
  senderName: 'Auditor',
  content: 'The figures hold.',
  timestamp: '2026-12-07T00:00:00.000Z',
  type: 'response',
};

/** What the simulation answers an expert of the council, in round `round`, shown `history`. */
function answerOf(expertId: string, round: number, history: ExpertMessageData[]): Record<string, unknown> {
  const who = context.activeExperts.find((e) => e.id === expertId);
  if (!who) throw new Error(expertId);
  const shown = formatHistory(history, { nameOf: () => undefined, showIds: true });
  const messages = expertPrompt(context, who, phase, round, shown, 'routed');
  return JSON.parse(simulatedAnswer({ model: 'm', messages } as ChatCompletionRequest)) as Record<
    string,
    unknown
  >;
}

describe('a simulated expert that may send messages', () => {
  it('answers in the JSON its prompt asks for (it answered plain text, so no message was ever addressed)', () => {
    expect(answerOf('analyst', 1, [])).toMatchObject({
      type: 'response',
      content: expect.stringMatching(/^\(simulated\) /),
    });
  });

  it('replies to the latest message it was shown, addressed as the prompt allows, the same way every time', () => {
    const seen = new Set<string>();
    for (let round = 2; round < 30 && seen.size < 4; round += 1) {
      const answer = answerOf('analyst', round, [said]);
      expect(answer).toMatchObject({ replyTo: 'm-1' });
      expect(answerOf('analyst', round, [said])).toEqual(answer);
      seen.add(JSON.stringify([answer.type, answer.recipient, answer.priority]));
    }
    // JSON writes a field left out of the array as null.
    expect([...seen].sort()).toEqual([
      '["agreement",null,null]',
      '["clarification","finance",null]',
      '["critique","role:critic","urgent"]',
      '["question","auditor",null]',
    ]);
  });
});
