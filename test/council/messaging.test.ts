import type { ExpertMessageData } from '../../common/council';
import { QUOTED_TEXT_NOTICE } from '../../workflows/shared/untrusted';
import { canSee, createExpertMessage, recipientsOf, visibleTo } from '../../workflows/council/messages';
import {
  conversationContextFor,
  formatHistory,
  previousResponsesOf,
  type HistoryFormat,
} from '../../workflows/council/history';
import { addressReply, parseExpertReply } from '../../workflows/council/expertReply';

let counter = 0;
const stamp = () => {
  counter += 1;
  return { id: `m${counter}`, timestamp: new Date(Date.UTC(2026, 1, 2, 0, 0, counter)).toISOString() };
};
const names: Record<string, string> = { a: 'Expert A', b: 'Expert B', c: 'Expert C' };
const plain: HistoryFormat = { nameOf: (id) => names[id], showIds: false };
const experts = Object.entries(names).map(([id, name]) => ({ id, name }));

function message(sender: string, content: string, extra: Partial<ExpertMessageData> = {}): ExpertMessageData {
  const built = createExpertMessage(stamp(), sender, names[sender] ?? 'Human', content);
  return { ...built, ...extra };
}

describe('routing', () => {
  const broadcast = message('a', 'to all');
  const direct = message('a', 'for C only', { recipient: 'c' });

  it('delivers a broadcast to every expert but its sender', () => {
    expect(recipientsOf(broadcast, ['a', 'b', 'c'])).toEqual(['b', 'c']);
    expect(['a', 'b', 'c'].map((id) => canSee(broadcast, id))).toEqual([true, true, true]);
  });

  it('shows a direct message to its recipient and its sender only', () => {
    expect(recipientsOf(direct, ['a', 'b', 'c'])).toEqual(['c']);
    expect(['a', 'b', 'c'].map((id) => canSee(direct, id))).toEqual([true, false, true]);
  });

  it('keeps only the latest visible messages when the history depth is limited', () => {
    const log = [message('a', 'one'), direct, message('b', 'two'), message('c', 'three')];
    expect(visibleTo(log, 'b', 10).map((m) => m.content)).toEqual(['one', 'two', 'three']);
    expect(visibleTo(log, 'b', 2).map((m) => m.content)).toEqual(['two', 'three']);
    expect(visibleTo(log, 'c', 3).map((m) => m.content)).toEqual(['for C only', 'two', 'three']);
  });

  it('createExpertMessage leaves unset optional fields out instead of undefined', () => {
    const built = createExpertMessage({ id: 'x', timestamp: 't' }, 'a', 'Expert A', 'hi');
    expect(built).toEqual({
      id: 'x',
      sender: 'a',
      senderName: 'Expert A',
      content: 'hi',
      timestamp: 't',
      type: 'response',
    });
    expect(Object.keys(built)).not.toContain('recipient');
  });
});

describe('history formatting', () => {
  it('renders the seed format: section title, ### "name" with the type noted, each content fenced', () => {
    const history = formatHistory(
      [message('a', 'Response content here'), message('b', 'Response content here', { type: 'critique' })],
      plain,
    );
    expect(history).toBe(
      `## Previous Expert Responses\n${QUOTED_TEXT_NOTICE}\n\n` +
        '### "Expert A"\n```text\nResponse content here\n```\n\n' +
        '### "Expert B" (critique)\n```text\nResponse content here\n```',
    );
  });

  it('is empty when there is nothing to show', () => {
    expect(formatHistory([], plain)).toBe('');
  });

  it('marks direct messages, replies, people and (for message senders) ids', () => {
    const question = message('a', 'Why?', { type: 'question', recipient: 'c' });
    const answer = message('c', 'Because.', { type: 'clarification', replyTo: question.id });
    const orphan = message('b', 'Agreed.', { type: 'agreement', replyTo: 'gone' });
    const human = { ...message('a', 'Mind the budget.'), sender: 'human', senderName: 'Alice' };
    const history = formatHistory([question, answer, orphan, human], { ...plain, showIds: true });
    const fence = (text: string) => `\n\`\`\`text\n${text}\n\`\`\``;
    expect(history).toContain(
      `### "Expert A" (id ${question.id}, question, to "Expert C" only)${fence('Why?')}`,
    );
    expect(history).toContain(
      `### "Expert C" (id ${answer.id}, clarification, replying to "Expert A")${fence('Because.')}`,
    );
    expect(history).toContain(
      `### "Expert B" (id ${orphan.id}, agreement, replying to an earlier message)${fence('Agreed.')}`,
    );
    expect(history).toContain(`### "Alice" (human, id ${human.id})${fence('Mind the budget.')}`);
  });

  it("builds an expert's context from what it may see only, with the latest answer of each expert", () => {
    const log = [message('a', 'A1'), message('b', 'secret for A', { recipient: 'a' }), message('a', 'A2')];
    const context = conversationContextFor(log, 'c', 3, 10, plain);
    expect(context.messages.map((m) => m.content)).toEqual(['A1', 'A2']);
    expect(context.previousResponses).toEqual({ a: 'A2' });
    expect(context.conversationHistory).not.toContain('secret');
    expect(context.round).toBe(3);
    expect(conversationContextFor(log, 'a', 3, 10, plain).previousResponses).toEqual({
      a: 'A2',
      b: 'secret for A',
    });
  });

  it('leaves people out of previousResponses', () => {
    const human = { ...message('a', 'from a person'), sender: 'human' };
    expect(previousResponsesOf([message('b', 'B1'), human])).toEqual({ b: 'B1' });
  });
});

describe('structured replies', () => {
  it('reads a valid JSON message, fenced or not', () => {
    const json = '{"type":"critique","content":"Weak data.","recipient":"b","replyTo":"m1"}';
    const expected = {
      type: 'critique',
      content: 'Weak data.',
      recipient: 'b',
      replyTo: 'm1',
      structured: true,
    };
    expect(parseExpertReply(json, 'response')).toEqual(expected);
    expect(parseExpertReply('```json\n' + json + '\n```', 'response')).toEqual(expected);
  });

  it("falls back to the mode's default type when the answer is not a valid message", () => {
    expect(parseExpertReply('Plain prose answer.', 'critique')).toEqual({
      type: 'critique',
      content: 'Plain prose answer.',
      structured: false,
    });
    // A malformed JSON message is repaired (unknown type) or kept private (no content), never plain text.
    expect(parseExpertReply('{"type":"shout","content":"x"}', 'response')).toMatchObject({
      type: 'response',
      content: 'x',
      parseError: 'unknown type "shout"',
    });
    expect(parseExpertReply('{"type":"agreement"}', 'response')).toMatchObject({
      content: '{"type":"agreement"}',
      keepPrivate: true,
    });
  });

  it('takes the default type when a valid message names none, and ignores null addresses', () => {
    expect(parseExpertReply('{"content":"ok","recipient":null}', 'clarification')).toEqual({
      type: 'clarification',
      content: 'ok',
      structured: true,
    });
  });

  it('accepts a recipient by id or name; an unknown one keeps the message private, noted in context', () => {
    const seen = new Set(['m1']);
    expect(addressReply({ recipient: 'Expert B', replyTo: 'm1' }, 'a', experts, seen)).toEqual({
      recipient: 'b',
      replyTo: 'm1',
    });
    // An unknown recipient keeps the message private to its sender rather than broadcasting it.
    expect(addressReply({ recipient: 'zed', replyTo: 'm9' }, 'a', experts, seen)).toEqual({
      recipient: 'a',
      context: {
        ignoredRecipient: 'zed',
        ignoredReplyTo: 'm9',
        parseError: '"recipient" "zed" is no other expert of this council',
        keptPrivate: true,
      },
    });
    expect(addressReply({ recipient: 'a' }, 'a', experts, seen)).toMatchObject({
      recipient: 'a',
      context: { ignoredRecipient: 'a', keptPrivate: true },
    });
  });
});
