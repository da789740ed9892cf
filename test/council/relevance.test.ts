import { filterMessages, messageFilterSchema, type ConversationMessage } from '../../common/conversation';
import { relevanceOf, termsOf } from '../../common/relevance';
import { priorConversationOf, savedConversationSchema } from '../../common/savedConversation';
import type { CouncilConversation } from '../../client/api/conversation';
import { savedConversationOf } from '../../client/api/conversationFile';

/** Three messages of a council on a four-day week: costs, staffing, and one off the subject. */
function conversation(): ConversationMessage[] {
  const message = (id: string, sender: string, round: number, content: string): ConversationMessage => ({
    id,
    sender,
    senderName: sender.toUpperCase(),
    content,
    timestamp: '2026-12-03T07:00:00.000Z',
    type: 'response',
    round,
  });
  return [
    message('m1', 'finance', 1, 'Payroll COSTS stay flat; overtime costs rise in the busy season.'),
    message('m2', 'people', 1, 'Staffing the support desk on Fridays needs a rota.'),
    message('m3', 'finance', 2, 'The office lease renews in March.'),
  ];
}

const filter = (raw: object) => messageFilterSchema.parse(raw);

describe('relevance: a deterministic share of the query’s terms, no model call', () => {
  it('reads terms as lower-case words without stopwords, a plural and its singular alike', () => {
    expect([...termsOf('The COSTS of a four-day week, and the costs of Fridays!')]).toEqual([
      'cost',
      'four',
      'day',
      'week',
      'friday',
    ]);
    expect(termsOf('the of and to').size).toBe(0);
  });

  it('scores a text by the share of the query’s terms it contains, to three decimals', () => {
    const query = termsOf('overtime cost season lease');
    expect(relevanceOf(query, 'Payroll costs stay flat; overtime costs rise in the busy season.')).toBe(0.75);
    expect(relevanceOf(query, 'The office lease renews in March.')).toBe(0.25);
    expect(relevanceOf(termsOf('friday rota staffing'), 'Nothing about it.')).toBe(0);
    expect(relevanceOf(termsOf('a b c'), 'anything')).toBe(0);
  });

  it('keeps the messages sharing a term with relevantTo (or minRelevance of them), scored, in their order', () => {
    const messages = conversation();
    const kept = filterMessages(messages, filter({ relevantTo: 'costs of the lease' }));
    expect(kept.map((m) => [m.id, m.relevance])).toEqual([
      ['m1', 0.5],
      ['m3', 0.5],
    ]);
    const strict = filterMessages(
      messages,
      filter({ relevantTo: 'overtime costs lease', minRelevance: 0.6 }),
    );
    expect(strict.map((m) => [m.id, m.relevance])).toEqual([['m1', 0.667]]);
    // Combined with the other fields: every field given must match.
    const fromFinance = filterMessages(messages, filter({ relevantTo: 'rota lease', from: ['finance'] }));
    expect(fromFinance.map((m) => m.id)).toEqual(['m3']);
    // Without relevantTo no message is scored.
    expect(filterMessages(messages, filter({ rounds: [1] })).map((m) => m.relevance)).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('refuses a query of stopwords only, a share outside (0, 1], and a share without a query', () => {
    const problem = (raw: object) => messageFilterSchema.safeParse(raw).error?.issues[0]?.message;
    expect(problem({ relevantTo: 'the of and' })).toBe(
      '"the of and" has no word to match (only short or common words): name the subject, e.g. "overtime costs"',
    );
    expect(problem({ relevantTo: 'cost', minRelevance: 0 })).toBe(
      'a share of the words to match, above 0 and at most 1, e.g. 0.5',
    );
    expect(problem({ relevantTo: 'cost', minRelevance: 1.5 })).toBe(
      'a share of the words to match, above 0 and at most 1, e.g. 0.5',
    );
    expect(problem({ minRelevance: 0.5 })).toBe('needs relevantTo: the words to match');
  });

  it('saves the messages a relevance filter kept without their scores, and the filter with them', () => {
    const messages = filterMessages(conversation(), filter({ relevantTo: 'lease' }));
    const source: CouncilConversation = {
      councilId: 'council-1',
      task: 'T',
      mode: 'parallel',
      expertIds: ['finance', 'people'],
      rounds: 2,
      messages: conversation(),
      events: [],
    };
    const saved = savedConversationOf(source, { relevantTo: 'lease' }, messages, new Date(0));
    const parsed = savedConversationSchema.parse(JSON.parse(JSON.stringify(saved)));
    expect(parsed.filter).toEqual({ relevantTo: 'lease' });
    expect(priorConversationOf(parsed, 'council-1').messages.map((m) => [m.id, m.round])).toEqual([
      ['m3', 2],
    ]);
  });
});
