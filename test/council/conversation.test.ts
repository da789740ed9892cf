import {
  CARRIED_OVER_ROUND,
  conversationOf,
  filterMessages,
  filterProblems,
  messageFilterSchema,
} from '../../common/conversation';
import { conversationStats, EVERYONE } from '../../common/conversationStats';
import type { ExpertMessageData, ExpertMessageType } from '../../common/council';
import type { ProgressEvent } from '../../common/councilApi';
import { priorConversationOf, savedConversationSchema } from '../../common/savedConversation';

/** A small adversarial log: two positions (round 1), two critiques (round 2), a person, a carried-over message. */
function scriptedLog() {
  const messages: ExpertMessageData[] = [];
  const events: ProgressEvent[] = [];
  let clock = Date.parse('2026-12-03T07:00:00.000Z');
  const at = (stepMs: number) => new Date((clock += stepMs)).toISOString();
  const message = (
    id: string,
    sender: string,
    type: ExpertMessageType,
    extra: Partial<ExpertMessageData> = {},
  ) => {
    const stored = {
      id,
      sender,
      senderName: sender.toUpperCase(),
      content: `${sender} says ${id}`,
      timestamp: at(0),
      type,
      ...extra,
    };
    messages.push(stored);
    return stored;
  };
  const turn = (
    expertId: string,
    round: number,
    phase: 'answer' | 'critique',
    stored: ExpertMessageData,
    tokens: number,
  ) => {
    const who = { kind: 'expert' as const, expertId, expertName: expertId.toUpperCase(), round, phase };
    events.push({ ...who, seq: events.length, at: at(1000), state: 'thinking' });
    const tokenUsage = { inputTokens: tokens - 5, outputTokens: 5, totalTokens: tokens };
    events.push({
      ...who,
      seq: events.length,
      at: at(500),
      state: 'done',
      messageId: stored.id,
      messageType: stored.type,
      tokenUsage,
    });
    events.push({ kind: 'message', seq: events.length, at: at(0), messageId: stored.id, deliveredTo: [] });
  };
  const old = message('m0', 'a', 'response');
  events.push({
    kind: 'message',
    seq: events.length,
    at: at(0),
    messageId: old.id,
    deliveredTo: [],
    carried: true,
  });
  const posA = message('m1', 'a', 'response');
  turn('a', 1, 'answer', posA, 20);
  const posB = message('m2', 'b', 'response');
  turn('b', 1, 'answer', posB, 30);
  const person = message('m3', 'human', 'clarification', { recipient: 'b' });
  events.push({ kind: 'human', seq: events.length, at: at(0), messageId: person.id, round: 1 });
  turn('a', 2, 'critique', message('m4', 'a', 'critique', { replyTo: 'm2' }), 40);
  turn('b', 2, 'critique', message('m5', 'b', 'critique'), 50);
  events.push({
    kind: 'expert',
    seq: events.length,
    at: at(2000),
    expertId: 'b',
    expertName: 'B',
    round: 2,
    phase: 'critique',
    state: 'thinking',
  });
  events.push({
    kind: 'expert',
    seq: events.length,
    at: at(700),
    expertId: 'b',
    expertName: 'B',
    round: 2,
    phase: 'critique',
    state: 'failed',
    error: { type: 'X', message: 'x' },
  });
  const agree = message('m6', 'b', 'agreement', { recipient: 'a' });
  turn('b', 2, 'critique', agree, 10);
  return { messages, events };
}

describe('a council conversation', () => {
  it('gives every message its round: an expert turn’s, a person’s, 0 for one carried over without one', () => {
    const { messages, events } = scriptedLog();
    const conversation = conversationOf(events, messages);
    expect(conversation.map((m) => [m.id, m.round])).toEqual([
      ['m0', CARRIED_OVER_ROUND],
      ['m1', 1],
      ['m2', 1],
      ['m3', 1],
      ['m4', 2],
      ['m5', 2],
      ['m6', 2],
    ]);
    expect(conversation.find((m) => m.id === 'm4')?.phase).toBe('critique');
    // Only the carried one is marked: m1 to m6 have a `message` event too, but it is not marked carried.
    expect(conversation.filter((m) => m.carried === true).map((m) => m.id)).toEqual(['m0']);
  });

  it('filters by type, sender, recipient and round, each field a list of alternatives', () => {
    const { messages, events } = scriptedLog();
    const conversation = conversationOf(events, messages);
    const ids = (filter: object) =>
      filterMessages(conversation, messageFilterSchema.parse(filter)).map((m) => m.id);
    expect(ids({})).toEqual(conversation.map((m) => m.id));
    expect(ids({ types: ['critique', 'agreement'] })).toEqual(['m4', 'm5', 'm6']);
    expect(ids({ from: ['human'] })).toEqual(['m3']);
    // "to a": a's direct messages and the broadcasts others sent (a's own broadcasts did not reach it).
    expect(ids({ to: ['a'] })).toEqual(['m2', 'm5', 'm6']);
    expect(ids({ to: ['b'] })).toEqual(['m0', 'm1', 'm3', 'm4']);
    expect(ids({ rounds: [0, 2], from: ['a'] })).toEqual(['m0', 'm4']);
  });

  it('refuses a type, sender, recipient or round that does not exist, naming what is allowed', () => {
    const bad = messageFilterSchema.safeParse({ types: ['rant'] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe(
      '"rant" is no message type (types: response, question, critique, clarification, agreement)',
    );
    expect(messageFilterSchema.safeParse({ rounds: [-1] }).success).toBe(false);
    expect(filterProblems({ from: ['c'], to: ['human'], rounds: [3] }, ['a', 'b'], ['a', 'b'], 2)).toEqual([
      'from "c" is no sender of this council (senders: a, b, human)',
      'to "human" is no expert (experts: a, b)',
      'round 3 did not happen (this council ran 2 round(s))',
    ]);
    expect(
      filterProblems({ from: ['human', 'a'], to: ['b'], rounds: [0, 2] }, ['a', 'b'], ['a', 'b'], 2),
    ).toEqual([]);
  });
});

describe('conversation stats', () => {
  it('counts messages per participant and type, who answers whom, and tokens, calls and time per round', () => {
    const { messages, events } = scriptedLog();
    const stats = conversationStats(conversationOf(events, messages), events);
    expect(stats.messages).toBe(7);
    expect(stats.byType).toEqual({ response: 3, question: 0, critique: 2, clarification: 1, agreement: 1 });
    expect(stats.byParticipant.a).toMatchObject({ name: 'A', messages: 3, tokens: { totalTokens: 60 } });
    expect(stats.byParticipant.a?.byType).toMatchObject({ response: 2, critique: 1 });
    expect(stats.byParticipant.b).toMatchObject({ messages: 3, tokens: { totalTokens: 90 } });
    expect(stats.byParticipant.human).toMatchObject({ messages: 1, tokens: { totalTokens: 0 } });
    // a's critique replies to b's position; b's critique goes to everyone; the agreement and the person's
    // clarification go to their recipients.
    expect(stats.interactions).toEqual([
      { from: 'human', to: 'b', type: 'clarification', count: 1 },
      { from: 'a', to: 'b', type: 'critique', count: 1 },
      { from: 'b', to: EVERYONE, type: 'critique', count: 1 },
      { from: 'b', to: 'a', type: 'agreement', count: 1 },
    ]);
    const [carried, first, second] = stats.rounds;
    expect(carried).toEqual({
      round: 0,
      messages: 1,
      carried: 1,
      calls: 0,
      failedCalls: 0,
      tokens: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    });
    expect(first).toMatchObject({
      round: 1,
      messages: 3,
      calls: 2,
      failedCalls: 0,
      tokens: { totalTokens: 50 },
    });
    expect(second).toMatchObject({
      round: 2,
      messages: 3,
      calls: 4,
      failedCalls: 1,
      tokens: { totalTokens: 100 },
    });
    // From the first call's start to the last call's end, by the scripted clock.
    const span = (r: typeof first) => Date.parse(r?.endedAt ?? '') - Date.parse(r?.startedAt ?? '');
    expect(first?.durationMs).toBe(span(first));
    expect(first?.durationMs).toBe(1000 + 500 + 1000 + 500 - 1000);
  });
});

describe('a saved conversation', () => {
  const saved = {
    schemaVersion: 1,
    kind: 'council-conversation',
    councilId: 'council-1',
    task: 'T',
    mode: 'adversarial',
    savedAt: '2026-12-03T07:00:00.000Z',
    messages: [
      {
        id: 'm1',
        sender: 'a',
        senderName: 'A',
        content: 'x',
        timestamp: '2026-12-03T07:00:00.000Z',
        type: 'response',
        round: 1,
        phase: 'answer',
      },
    ],
  };

  it('loads a file of its version and keeps rounds and phases for the new council’s input', () => {
    const first = { ...saved.messages[0], carried: true };
    const parsed = savedConversationSchema.parse({ ...saved, messages: [first] });
    const prior = priorConversationOf(parsed, parsed.councilId);
    expect(prior).toEqual({
      sourceId: 'council-1',
      messages: [
        {
          id: 'm1',
          sender: 'a',
          senderName: 'A',
          content: 'x',
          timestamp: '2026-12-03T07:00:00.000Z',
          type: 'response',
          round: 1,
          phase: 'answer',
        },
      ],
    });
  });

  it('refuses another version and unknown fields, saying which', () => {
    const other = savedConversationSchema.safeParse({ ...saved, schemaVersion: 9 });
    expect(other.error?.issues[0]?.message).toBe('version 9 is not one this council reads (1)');
    const extra = savedConversationSchema.safeParse({
      ...saved,
      messages: [{ ...saved.messages[0], mood: 'x' }],
    });
    expect(extra.success).toBe(false);
    expect(extra.error?.issues[0]?.path).toEqual(['messages', 0]);
    // A file is edited by hand: its names reach other experts' prompts and terminals as names do.
    for (const field of ['senderName', 'sender', 'recipient', 'audience'] as const) {
      const hostile = savedConversationSchema.safeParse({
        ...saved,
        messages: [{ ...saved.messages[0], [field]: 'Evil\u001b]0;TITLE\u0007Name' }],
      });
      expect(hostile.error?.issues.map((issue) => [issue.path, issue.message])).toEqual([
        [['messages', 0, field], `${field} must not contain control characters or invisible ones`],
      ]);
    }
  });
});
