import type { JournalEntry } from '@copilotkit/aimock';
import { MultiParticipantSession, succeeded } from '../../client/api/session';
import type { OrchestrationStrategy, ParticipantRole } from '../../common/participants';
import { answerAsParticipants, chatRequests, speakerOf } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';

const openai = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const anthropic = { provider: 'anthropic', model: 'claude-sonnet-4-5' } as const;
const noRetry = { maximumAttempts: 1 };

interface Body {
  system?: unknown;
  messages?: Array<{ role: string; content: unknown }>;
}
const bodyOf = (entry: JournalEntry) => (entry.body ?? {}) as Body;
const text = (content: unknown) => (typeof content === 'string' ? content : JSON.stringify(content));

/** The seed's own code (000_dcbd69baf73d61b7.txt), line by line, with the mock LLM's journal as witness. */
describe('the sessions seed, to the letter', () => {
  const bench = useMockHarness('seeds', (mock) => {
    mock.on(
      { predicate: (request) => /^Broken/.test(speakerOf({ body: request }) ?? '') },
      { error: { message: 'upstream exploded', type: 'server_error' }, status: 500 },
    );
    answerAsParticipants(mock);
  });

  async function session(
    strategy: OrchestrationStrategy,
    members: Array<[string, ParticipantRole, number?]>,
  ) {
    const created = await MultiParticipantSession.create(
      bench.harness.client,
      { systemPrompt: 'Seed session.', strategy },
      { taskQueue: bench.harness.taskQueue },
    );
    for (const [name, role, priority] of members) {
      const model = name.endsWith('-A') ? anthropic : openai;
      await created.addParticipantWithPriority(name, model, role, priority ?? 0, { retry: noRetry });
    }
    return created;
  }
  const callsOf = (name: string) => chatRequests(bench.mock).filter((entry) => speakerOf(entry) === name);

  it('send_message(Role::System, …) reaches every model as a system instruction, not a user turn', async () => {
    const panel = await session('broadcast', [
      ['Expert-1', 'panelist'],
      ['Expert-2-A', 'panelist'],
    ]);
    const instruction = 'From now on answer in exactly one sentence.';
    const responses = await panel.sendMessage('system', instruction);
    expect(succeeded(responses)).toHaveLength(2);

    // aimock journals an Anthropic request in the OpenAI shape (its `system` as system messages;
    // test/providers/anthropic.test.ts shows them on the wire as `system`).
    for (const name of ['Expert-1', 'Expert-2-A']) {
      const messages = bodyOf(callsOf(name)[0]!).messages ?? [];
      expect(
        messages
          .filter((m) => m.role === 'system')
          .map((m) => text(m.content))
          .join('\n'),
      ).toContain(instruction);
      for (const m of messages.filter((m) => m.role !== 'system')) {
        expect(text(m.content)).not.toContain(instruction);
      }
    }

    // In the next round, too, the instruction is still there and still not a user turn.
    bench.mock.clearRequests();
    await panel.sendMessage('user', 'What is alignment?');
    const next = bodyOf(callsOf('Expert-1')[0]!).messages ?? [];
    for (const m of next.filter((m) => m.role !== 'system'))
      expect(text(m.content)).not.toContain(instruction);
    expect(next.some((m) => m.role === 'system' && text(m.content).includes(instruction))).toBe(true);
  });

  it('get_participant(name).name and list_participants give a flat view; succeeded() counts successes', async () => {
    const panel = await session('broadcast', [
      ['Agent-1', 'panelist'],
      ['Broken-1', 'panelist'],
    ]);
    await panel.addParticipantWithPriority('Agent-2', openai, 'evaluator', 5);
    const responses = await panel.sendMessage('user', 'Hello');
    expect(responses).toHaveLength(3);
    expect(succeeded(responses).map((r) => r.participantName)).toEqual(['Agent-1', 'Agent-2']);

    // History: the turn and the answer, then the evaluator's verdict (a failed one has the verdict only).
    const agent = await panel.getParticipant('Agent-1');
    expect(agent?.name).toBe('Agent-1');
    expect([agent?.role, agent?.priority, agent?.model.model, agent?.historyLength]).toEqual([
      'panelist',
      0,
      'gpt-4o-mini',
      3,
    ]);
    expect(agent?.usage.totalTokens).toBe(15);
    const listed = await panel.listParticipants();
    expect(listed.map((p) => [p.name, p.role, p.priority, p.historyLength])).toEqual([
      ['Agent-1', 'panelist', 0, 3],
      ['Broken-1', 'panelist', 0, 1],
      ['Agent-2', 'evaluator', 5, 2],
    ]);
  });

  it('custom: an evaluator with priority 5 answers in its priority place, shown the answers before it', async () => {
    const panel = await session('custom', [
      ['Junior', 'panelist', 1],
      ['Judge', 'evaluator', 5],
      ['Principal', 'panelist', 10],
    ]);
    const responses = await panel.sendMessage('user', 'Best architecture?');
    expect(chatRequests(bench.mock).map(speakerOf)).toEqual(['Principal', 'Judge', 'Junior']);
    expect(responses.map((r) => [r.participantName, r.shown])).toEqual([
      ['Principal', []],
      ['Judge', ['Principal']],
      ['Junior', ['Principal', 'Judge']],
    ]);
  });

  it("evaluators' verdicts reach the participants in the next round", async () => {
    const panel = await session('broadcast', [
      ['GPT', 'panelist'],
      ['Judge', 'evaluator'],
    ]);
    const first = await panel.sendMessage('user', 'Round one');
    const verdict = first.find((r) => r.participantName === 'Judge')?.content ?? 'missing';
    bench.mock.clearRequests();
    await panel.sendMessage('user', 'Round two');
    const prompt = (bodyOf(callsOf('GPT')[0]!).messages ?? []).map((m) => text(m.content)).join('\n');
    expect(prompt).toContain(verdict);
  });

  it('a supervisor called when every worker failed is told they failed', async () => {
    const panel = await session('hierarchical', [
      ['Broken-Worker', 'worker'],
      ['Broken-Helper', 'worker'],
      ['Lead', 'supervisor'],
    ]);
    const responses = await panel.sendMessage('user', 'Analyze market trends.');
    expect(responses.map((r) => [r.participantName, r.status])).toEqual([
      ['Lead', 'ok'], // its assignment (test/session/seedRoles.e2e.test.ts)
      ['Broken-Worker', 'failed'],
      ['Broken-Helper', 'failed'],
      ['Lead', 'ok'],
    ]);
    const messages = bodyOf(callsOf('Lead').at(-1)!).messages ?? [];
    const turn = text(messages.at(-1)?.content);
    expect(turn).toContain('Broken-Worker');
    expect(turn).toContain('Broken-Helper');
    expect(turn).toMatch(/failed/);
    expect(turn).toContain('upstream exploded');
  });

  it('setParticipantRole: an observer becomes a panelist and keeps its history', async () => {
    const panel = await session('broadcast', [
      ['Speaker', 'panelist'],
      ['Listener', 'observer'],
    ]);
    const first = await panel.sendMessage('user', 'Round one');
    const before = await panel.getParticipant('Listener');
    expect(before?.historyLength).toBe(1);

    const changed = await panel.setParticipantRole('Listener', 'panelist', 3);
    expect([changed.name, changed.role, changed.priority]).toEqual(['Listener', 'panelist', 3]);
    bench.mock.clearRequests();
    const second = await panel.sendMessage('user', 'Round two');
    expect(second.map((r) => r.participantName)).toEqual(['Speaker', 'Listener']);
    const prompt = (bodyOf(callsOf('Listener')[0]!).messages ?? []).map((m) => text(m.content)).join('\n');
    expect(prompt).toContain('Round one');
    expect(prompt).toContain(first[0]?.content);
    expect(speakerOf(callsOf('Listener')[0]!)).toBe('Listener');
    expect(text(bodyOf(callsOf('Listener')[0]!).messages?.[0]?.content)).toContain('taking part as panelist');
    await expect(panel.setParticipantRole('Ghost', 'panelist')).rejects.toThrow(
      /no participant named "Ghost"/,
    );
    await expect(panel.setParticipantRole('Listener', 'boss' as never)).rejects.toThrow(/role/);
  });
});
