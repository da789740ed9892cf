import { filterMessages, messageFilterSchema, type ConversationMessage } from '../../common/conversation';
import { conversationStats, EVERYONE } from '../../common/conversationStats';
import type { ExpertMessageType } from '../../common/council';
import { formatMessages } from '../../client/cli/councilConversation';

/** A's message to group core (b, d), its critique to role critic (c), and B's broadcast. */
function routedConversation(): ConversationMessage[] {
  const message = (
    id: string,
    sender: string,
    type: ExpertMessageType,
    address: Partial<ConversationMessage> = {},
  ): ConversationMessage => ({
    id,
    sender,
    senderName: sender.toUpperCase(),
    content: `${sender} says ${id}`,
    timestamp: '2026-12-03T07:00:00.000Z',
    type,
    round: 1,
    ...address,
  });
  return [
    message('m1', 'a', 'clarification', { recipients: ['b', 'd'], audience: 'group:core' }),
    message('m2', 'a', 'critique', { recipients: ['c'], audience: 'role:critic' }),
    message('m3', 'b', 'critique'),
  ];
}

const ids = (filter: object) =>
  filterMessages(routedConversation(), messageFilterSchema.parse(filter)).map((m) => m.id);

describe('the filter and stats of messages to a role, a group or a list', () => {
  it('--to keeps a routed message for its recipients only, as they alone read it', () => {
    expect(ids({ to: ['b'] })).toEqual(['m1']);
    expect(ids({ to: ['c'] })).toEqual(['m2', 'm3']);
    expect(ids({ to: ['d'] })).toEqual(['m1', 'm3']);
    // Its sender is no recipient of its own message.
    expect(ids({ to: ['a'] })).toEqual(['m3']);
  });

  it('counts a routed message as written to its role or group, not to everyone', () => {
    const stats = conversationStats(routedConversation(), []);
    expect(stats.interactions).toEqual([
      { from: 'a', to: 'group:core', type: 'clarification', count: 1 },
      { from: 'a', to: 'role:critic', type: 'critique', count: 1 },
      { from: 'b', to: EVERYONE, type: 'critique', count: 1 },
    ]);
  });
});

describe('how `council show` heads a routed message', () => {
  it('names its role, group or list, and an urgent one, where it said "to everyone"', () => {
    const [toGroup, toRole, toAll] = routedConversation();
    const heads = formatMessages([toGroup!, { ...toRole!, priority: 'urgent' }, toAll!], undefined)
      .split('\n')
      .filter((line) => line.startsWith('──'));
    expect(heads).toEqual([
      '── round 1 · A (a) [clarification] to group:core only ──',
      '── round 1 · A (a) [critique] to role:critic only, urgent ──',
      '── round 1 · B (b) [critique] to everyone ──',
    ]);
  });

  it('says which message a reply answers, by its sender and round, when the list holds it', () => {
    const [toGroup, , toAll] = routedConversation();
    const reply = { ...toAll!, id: 'm9', round: 2, replyTo: 'm1' };
    const orphan = { ...toAll!, id: 'm10', round: 2, replyTo: 'gone-1234567890' };
    const heads = formatMessages([toGroup!, reply, orphan], undefined)
      .split('\n')
      .filter((line) => line.startsWith('──'));
    expect(heads.slice(1)).toEqual([
      "── round 2 · B (b) [critique] to everyone, replying to A's round 1 clarification ──",
      '── round 2 · B (b) [critique] to everyone, replying to message gone-1234567890 ──',
    ]);
  });
});
