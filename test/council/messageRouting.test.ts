import type { Client } from '@temporalio/client';
import { executeCouncilExperts, sendHumanMessage, startCouncil } from '../../client/api/council';
import { councilContextSchema, type ExpertMessageData } from '../../common/council';
import { audienceLine, withSynthesizerApart } from '../../common/councilRouting';
import { resynthesisSourceSchema } from '../../common/resynthesis';
import { CouncilUserError } from '../../common/userError';
import { zodProblem } from '../../common/validation';
import { CouncilLedger } from '../../workflows/council/ledger';
import { canSee, createExpertMessage, recipientsOf } from '../../workflows/council/messages';
import { conversationContextFor, type HistoryFormat } from '../../workflows/council/history';
import { parseExpertReply } from '../../workflows/council/expertReply';
import { resolveAddress, routeReply, type Roster } from '../../workflows/council/routing';
import type { CouncilExpert } from '../../client/api/councilTypes';
import { council, expert, model } from './support';

const roster: Roster = {
  experts: [
    { id: 'a', name: 'Expert A', role: 'analyst' },
    { id: 'b', name: 'Expert B', role: 'critic' },
    { id: 'c', name: 'Expert C', role: 'critic' },
    { id: 'd', name: 'Expert D' },
  ],
  groups: { core: ['a', 'b'], outer: ['c', 'd'] },
};
const ids = roster.experts.map((e) => e.id);
let counter = 0;
function message(sender: string, extra: Partial<ExpertMessageData> = {}): ExpertMessageData {
  counter += 1;
  const stamp = { id: `m${counter}`, timestamp: '2026-02-02T00:00:00.000Z' };
  return { ...createExpertMessage(stamp, sender, `Expert ${sender}`, `text ${counter}`), ...extra };
}

describe('addresses: roles, groups and lists', () => {
  it('sends a role address to every expert of that role but the sender', () => {
    expect(resolveAddress('role:critic', 'a', roster)).toEqual({
      address: { recipients: ['b', 'c'], audience: 'role:critic' },
    });
    expect(resolveAddress('role:critic', 'b', roster)).toEqual({
      address: { recipients: ['c'], audience: 'role:critic' },
    });
  });

  it('sends a group name (bare or group:) to its members, and a list to the union of its entries', () => {
    const core = { address: { recipients: ['a', 'b'], audience: 'group:core' } };
    expect(resolveAddress('core', 'human', roster)).toEqual(core);
    expect(resolveAddress('group:core', 'human', roster)).toEqual(core);
    expect(resolveAddress(['d', 'core'], 'a', roster)).toEqual({ address: { recipients: ['b', 'd'] } });
    expect(resolveAddress(['Expert C', 'a'], 'human', roster)).toEqual({
      address: { recipients: ['a', 'c'] },
    });
  });

  it('keeps a single expert id a plain direct message, as before', () => {
    expect(resolveAddress('c', 'a', roster)).toEqual({ address: { recipient: 'c' } });
  });

  it('says what is wrong with an address that reaches nobody', () => {
    expect(resolveAddress('role:judge', 'a', roster)).toEqual({
      problem:
        'no expert has role "judge" in this council (experts: a, b, c, d; roles: analyst, critic; groups: core, outer)',
    });
    expect(resolveAddress('a', 'a', roster)).toEqual({
      problem: expect.stringContaining('reaches no expert but its sender'),
    });
  });
});

describe('visibility of routed messages', () => {
  it('shows a group message to its members and its sender only', () => {
    const group = message('c', { recipients: ['a', 'b'], audience: 'group:core' });
    expect(ids.map((id) => canSee(group, id))).toEqual([true, true, true, false]);
    expect(recipientsOf(group, ids)).toEqual(['a', 'b']);
  });

  it('puts urgent messages first, marked, when the format says they are new', () => {
    const log = [message('a'), message('b', { priority: 'urgent' }), message('c')];
    const urgent = log[1]?.id ?? '';
    const format: HistoryFormat = { nameOf: () => undefined, showIds: false, firstIds: new Set([urgent]) };
    const seen = conversationContextFor(log, 'd', 1, 10, format);
    expect(seen.messages.map((m) => m.id)).toEqual([urgent, log[0]?.id, log[2]?.id]);
    expect(seen.conversationHistory).toMatch(/### "Expert b" \(urgent, unread\)\n```text\ntext \d+\n```/);
  });
});

describe('how a client prints an audience', () => {
  it('names the role, group, list or expert, and says urgent', () => {
    expect(audienceLine({ recipients: ['b', 'c'], audience: 'role:critic', priority: 'urgent' })).toBe(
      'to role:critic only, urgent',
    );
    expect(audienceLine({ recipients: ['b', 'd'] })).toBe('to b, d only');
    expect(audienceLine({ recipient: 'b' })).toBe('to b only');
    expect(audienceLine({})).toBe('to everyone');
  });
});

describe('structured replies under routing', () => {
  it('reads priority and routes a list or a role', () => {
    const reply = parseExpertReply(
      JSON.stringify({ content: 'Look at this', recipient: ['b', 'c'], priority: 'urgent' }),
      'response',
    );
    expect(reply.priority).toBe('urgent');
    expect(routeReply(reply, 'a', roster, new Set())).toEqual({ recipients: ['b', 'c'], priority: 'urgent' });
    const toRole = parseExpertReply(JSON.stringify({ content: 'x', recipient: 'role:critic' }), 'response');
    expect(routeReply(toRole, 'd', roster, new Set())).toEqual({
      recipients: ['b', 'c'],
      audience: 'role:critic',
    });
  });

  it('keeps a reply to an unknown address private to its sender, saying why', () => {
    const reply = parseExpertReply(JSON.stringify({ content: 'x', recipient: 'role:judge' }), 'response');
    expect(routeReply(reply, 'a', roster, new Set())).toMatchObject({
      recipient: 'a',
      context: { keptPrivate: true, ignoredRecipient: 'role:judge' },
    });
  });
});

describe('council context: roles and groups', () => {
  const problem = (groups: unknown) => {
    const parsed = councilContextSchema.safeParse({
      ...council('parallel', [expert('a'), expert('b')]),
      groups,
    });
    return parsed.success ? 'valid' : zodProblem(parsed.error);
  };

  it('accepts roles and groups of known experts, and names what is wrong otherwise', () => {
    expect(problem({ pair: ['a', 'b'] })).toBe('valid');
    expect(problem({ pair: ['a', 'z'] })).toContain('groups.pair[1]: no expert with id "z"');
    expect(problem({ a: ['b'] })).toContain('group "a" has the id of an expert');
    const roles = council('parallel', [expert('a', { role: 'critic' })]);
    expect(councilContextSchema.parse(roles).activeExperts[0]?.role).toBe('critic');
  });

  // An address names an expert by id or by name, case aside, and reaches the first that matches:
  // two experts one address cannot tell apart would take each other's messages.
  it('refuses, where a council starts, experts that one address would not tell apart', async () => {
    const twins = [expert('a', { name: 'Ada' }), expert('b', { name: 'ada ' })];
    expect(resolveAddress('ada', 'c', { experts: twins })).toEqual({ address: { recipient: 'a' } });
    const noClient = {} as Client;
    const start = (experts: CouncilExpert[]) => startCouncil(noClient, council('parallel', experts));
    await expect(start(twins)).rejects.toThrow(
      new CouncilUserError(
        'invalid council context: activeExperts[1].name: "ada " also names expert "a": messages ' +
          'address experts by id or name, case aside, so each needs a name of its own',
      ),
    );
    await expect(start([expert('a'), expert('b', { name: 'A' })])).rejects.toThrow(
      /^invalid council context: activeExperts\[1\]\.name: "A" also names expert "a"/,
    );
    await expect(start([expert('ab'), expert('AB')])).rejects.toThrow(
      /^invalid council context: activeExperts\[1\]\.id: "AB" also names expert "ab"/,
    );
  });

  // A callback that is no function failed with a TypeError at the first update, once the council
  // had started, which then ran with no one following it.
  it('refuses a callback that is no function before a council starts', async () => {
    const noClient = {} as Client;
    const context = council('parallel', [expert('a')]);
    await expect(executeCouncilExperts(noClient, context, 'log' as never)).rejects.toThrow(
      new CouncilUserError('onExpertUpdate must be a function, and is "log"'),
    );
    await expect(
      executeCouncilExperts(noClient, context, undefined, undefined, { onToken: null as never }),
    ).rejects.toThrow(new CouncilUserError('onToken must be a function, and is null'));
    const handled = council('parallel', [{ ...expert('a'), messageHandler: {} as never }]);
    await expect(executeCouncilExperts(noClient, handled)).rejects.toThrow(
      new CouncilUserError('activeExperts[0].messageHandler must be a function, and is an object'),
    );
  });

  // Sent as it was, an oversized message went through the payload codec, which stored it in the
  // blob store, before the council refused it: the client refuses it first.
  it("refuses a person's message over its bound before anything is sent", async () => {
    const noClient = {} as Client;
    await expect(sendHumanMessage(noClient, 'c-1', { content: 'z'.repeat(20_000) })).rejects.toThrow(
      new CouncilUserError(
        'invalid message: content: the message is longer than 16000 characters: shorten it or send it in parts',
      ),
    );
    await expect(sendHumanMessage(noClient, 'c-1', { content: ' \n' })).rejects.toThrow(
      /the message is empty/,
    );
  });

  it('names an unnamed synthesizer apart from an expert with the default name, as the seed has one', () => {
    const experts = [expert('synthesizer', { name: 'Synthesizer' })];
    expect(withSynthesizerApart({ model }, experts)).toEqual({ model, name: 'Council synthesizer' });
    expect(withSynthesizerApart({ model }, [expert('a')])).toEqual({ model });
    expect(withSynthesizerApart({ model, name: 'Chair' }, experts)).toEqual({ model, name: 'Chair' });
    // A config file's entries as written: an empty one is the schema's to name, not a TypeError.
    expect(withSynthesizerApart({ model }, [null, 'x', ...experts])).toEqual({
      model,
      name: 'Council synthesizer',
    });
  });

  // The board, the events and the transcript tell the synthesis from the answers by name.
  it('refuses, where a council starts, a synthesizer named as an expert', async () => {
    const noClient = {} as Client;
    const context = { ...council('parallel', [expert('a', { name: 'Chair' })]) };
    const named = { ...context, synthesisConfig: { ...context.synthesisConfig, name: 'chair' } };
    await expect(startCouncil(noClient, named)).rejects.toThrow(
      new CouncilUserError(
        'invalid council context: synthesisConfig.name: "chair" also names expert "a": the ' +
          "synthesis is told apart from the experts' answers by its name, so the synthesizer needs one of its own",
      ),
    );
  });
});

describe('per-expert inbox', () => {
  it('holds what was sent to an expert until its turn, and delivers it once', () => {
    let n = 0;
    const context = councilContextSchema.parse({
      ...council('sequential', [expert('a'), expert('b'), expert('c')]),
      groups: { pair: ['a', 'b'] },
    });
    const clock = { stamp: () => ({ id: `i${++n}`, timestamp: 't' }), now: () => 't' };
    const ledger = new CouncilLedger(context, clock, () => undefined);
    ledger.addMessage(message('a', { id: 'x1' }));
    ledger.addMessage(message('a', { id: 'x2', recipients: ['b'], audience: 'group:pair' }));
    expect(ledger.progress(undefined).inboxes).toEqual({ a: [], b: ['x1', 'x2'], c: ['x1'] });
    expect(ledger.deliver('b').map((m) => m.id)).toEqual(['x1', 'x2']);
    expect(ledger.deliver('b')).toEqual([]);
    expect(ledger.progress(undefined).inboxes).toEqual({ a: [], b: [], c: ['x1'] });
  });
});

describe('re-synthesis of a council with routed messages', () => {
  it('accepts recorded messages with recipients, audience and priority, and keeps them', () => {
    const routed = message('a', { recipients: ['b', 'c'], audience: 'role:critic', priority: 'urgent' });
    const source = resynthesisSourceSchema.parse({
      sourceId: 's',
      outputs: {},
      messages: [routed],
      rounds: 1,
    });
    expect(source.messages[0]).toMatchObject({
      recipients: ['b', 'c'],
      audience: 'role:critic',
      priority: 'urgent',
    });
  });
});
