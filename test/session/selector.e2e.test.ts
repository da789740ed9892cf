import type { ChatCompletionRequest, LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { MultiParticipantSession } from '../../client/api/session';
import type { SelectorSettingsInput } from '../../common/selector';
import { chatRequests, mockClients, promptText, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { isModelCallScheduled } from '../durability/support/temporal';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { waitFor } from '../helpers/wait';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const SLOW_MS = 1500;

/** What the mock answers: the selector's picks in turn, and each participant's answer (by name). */
const script = { picks: [] as string[], answers: {} as Record<string, string> };

const isSelector = (request: ChatCompletionRequest) =>
  promptText({ body: request } as never).includes('You choose who speaks next');

describe('selector strategy on the real dev server, LLM served by aimock', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;

  beforeAll(async () => {
    mock = await startMockLlm();
    // The selector answers from script.picks (usage 3 + 1); a participant answers script.answers[name]
    // or "NAME speaks" (usage 10 + 5); "Slow" takes SLOW_MS, so a person can say stop mid-turn.
    mock.on(
      { predicate: (request) => !isSelector(request) && speakerOf({ body: request }) === 'Slow' },
      () => ({ content: 'Slow speaks', usage: { prompt_tokens: 10, completion_tokens: 5 } }),
      { chaos: { latencyMs: SLOW_MS } },
    );
    mock.on({ predicate: () => true }, (request) => {
      if (isSelector(request)) {
        return { content: script.picks.shift() ?? '', usage: { prompt_tokens: 3, completion_tokens: 1 } };
      }
      const name = speakerOf({ body: request }) ?? 'unknown';
      const content = script.answers[name] ?? `${name} speaks`;
      return { content, usage: { prompt_tokens: 10, completion_tokens: 5 } };
    });
    harness = await startHarness('selector', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });
  beforeEach(() => {
    mock.clearRequests();
    script.picks = [];
    script.answers = {};
  });

  async function session(names: string[], selector: Partial<SelectorSettingsInput>) {
    return MultiParticipantSession.create(
      harness.client,
      {
        strategy: 'selector',
        selector: { model, ...selector },
        participants: names.map((name) => ({ name, role: 'panelist', model, description: `${name}'s view` })),
      },
      { taskQueue: harness.taskQueue },
    );
  }

  /** The journal, the witness of who was called in which order: `selector` or the speaker's name. */
  const journal = () =>
    chatRequests(mock).map((entry) =>
      isSelector(entry.body as ChatCompletionRequest) ? 'selector' : speakerOf(entry),
    );

  async function notes(panel: MultiParticipantSession) {
    return (await panel.transcript())
      .filter((e) => e.from === 'selector' && e.role === 'system')
      .map((e) => e.content);
  }

  it('calls whom the selector picks, falls back in order of joining on a garbled pick, stops at maxTurns', async () => {
    const panel = await session(['Alice', 'Bob', 'Carol'], { maxTurns: 3 });
    script.picks = ['Carol', '"alice".', 'the next one should be Dave'];
    const responses = await panel.sendMessage('user', 'Plan the launch.');
    expect(journal()).toEqual(['selector', 'Carol', 'selector', 'Alice', 'selector', 'Bob']);
    expect(responses.map((r) => [r.participantName, r.status])).toEqual([
      ['Carol', 'ok'],
      ['Alice', 'ok'],
      ['Bob', 'ok'],
    ]);
    // The selector saw the candidates (not the last speaker) and the conversation so far, fenced.
    const third = chatRequests(mock)[4];
    expect(promptText(third!)).toContain('from ["Bob", "Carol"]');
    expect(promptText(third!)).toMatch(/### "Alice" \(panelist\)\n```text\nAlice speaks\n```/);
    expect(await notes(panel)).toEqual([
      'Turn 1: "Carol" speaks (picked by the selector).',
      'Turn 2: "Alice" speaks (picked by the selector).',
      'Turn 3: "Bob" speaks (fallback in order of joining: the selector answered "the next one should be Dave", which names no single candidate).',
      'The round ended after 3 turn(s): it reached its 3 turn(s).',
    ]);
    // Every call has a deterministic activity id: the selector's r<round>.select.t<turn>.
    const history = await harness.client.workflow.getHandle(panel.sessionId).fetchHistory();
    const ids = (history.events ?? [])
      .filter(isModelCallScheduled)
      .flatMap((e) => e.activityTaskScheduledEventAttributes?.activityId ?? []);
    expect(ids).toEqual([
      'r1.select.t1',
      'r1.answer.Carol',
      'r1.select.t2',
      'r1.answer.Alice',
      'r1.select.t3',
      'r1.answer.Bob',
    ]);
    // The selector's tokens count in the session's usage: 3 x 4 + 3 x 15.
    expect((await panel.view()).usage.totalTokens).toBe(57);
    await panel.close();
  });

  it('stops on the termination phrase in an answer', async () => {
    const panel = await session(['Alice', 'Bob', 'Carol'], { maxTurns: 5, terminationPhrase: 'TERMINATE' });
    script.picks = ['Alice', 'Bob', 'Carol'];
    script.answers = { Bob: 'Good enough. TERMINATE' };
    const responses = await panel.sendMessage('user', 'Plan the launch. Say TERMINATE when done.');
    expect(journal()).toEqual(['selector', 'Alice', 'selector', 'Bob']);
    expect(responses).toHaveLength(2);
    expect((await notes(panel)).at(-1)).toBe(
      'The round ended after 2 turn(s): Bob wrote the termination phrase "TERMINATE".',
    );
    await panel.close();
  });

  it('stops once the round has used its token budget, the selector counted', async () => {
    const panel = await session(['Alice', 'Bob', 'Carol'], { maxTurns: 5, maxTotalTokens: 35 });
    script.picks = ['Alice', 'Bob', 'Carol'];
    await panel.sendMessage('user', 'Plan the launch.');
    expect(journal()).toEqual(['selector', 'Alice', 'selector', 'Bob']);
    expect((await notes(panel)).at(-1)).toBe(
      'The round ended after 2 turn(s): the round used 38 tokens, at least its budget of 35.',
    );
    await panel.close();
  });

  it('carries its memory through continue-as-new: the last speaker is never offered first again', async () => {
    // Two speakers, two turns a round, repeats off: only the very first turn has two candidates (and
    // asks the selector); every later turn has one, because the memory says who spoke last. A memory
    // lost at continue-as-new would ask the selector again in the new run's first round.
    const panel = await session(['Alice', 'Bob'], { maxTurns: 2 });
    script.picks = ['Alice'];
    let rounds = 0;
    // The test server suggests continue-as-new at 400 history events: a few dozen rounds at most.
    for (let more = 3; rounds < 80 && more > 0; rounds += 1) {
      await panel.sendMessage('user', `Round ${rounds + 1}`);
      if ((await panel.view()).runs > 1) more -= 1;
    }
    expect((await panel.view()).runs).toBeGreaterThan(1);
    const seen = journal();
    expect(seen.filter((who) => who === 'selector')).toHaveLength(1);
    expect(seen.slice(1)).toEqual(
      Array.from({ length: rounds * 2 }, (_, i) => (i % 2 === 0 ? 'Alice' : 'Bob')),
    );
    await panel.close();
  });

  it('stops after the turn in progress when a person says stop, and carries on in the next round', async () => {
    const panel = await session(['Slow', 'Quick'], { maxTurns: 5 });
    script.picks = ['Slow'];
    const round = panel.sendMessage('user', 'Plan the launch.');
    await waitFor(
      'Slow to be thinking',
      async () => (await panel.view()).activeRound?.states.Slow === 'thinking',
    );
    expect(await panel.stopRound()).toBe(true);
    const responses = await round;
    expect(responses.map((r) => r.participantName)).toEqual(['Slow']);
    expect(journal()).toEqual(['selector', 'Slow']);
    expect((await notes(panel)).at(-1)).toBe('The round ended after 1 turn(s): a person asked to stop.');
    // The stop was for that round only; the memory (last speaker: Slow) carries into the next one,
    // where Quick is the only candidate for the first turn.
    expect(await panel.stopRound()).toBe(false);
    mock.clearRequests();
    const next = await panel.sendMessage('user', 'And then?');
    expect(next.map((r) => r.participantName).slice(0, 1)).toEqual(['Quick']);
    expect(journal().slice(0, 1)).toEqual(['Quick']);
    await panel.close();
  });

  // A selector session without `selector:` settings was accepted, and so was a change to the selector
  // strategy in one: every round was then refused, and no update could add the settings.
  it('is refused without selector settings: at the start, and as a change of strategy', async () => {
    const participants = ['A', 'B'].map((name) => ({ name, role: 'panelist' as const, model }));
    const needs =
      'selector: the selector strategy needs `selector:` settings, at least `model` (provider and model) for the model that picks speakers';
    await expect(
      MultiParticipantSession.create(
        harness.client,
        { strategy: 'selector', participants },
        { taskQueue: harness.taskQueue },
      ),
    ).rejects.toThrow(`invalid session config: ${needs}`);
    const panel = await MultiParticipantSession.create(
      harness.client,
      { strategy: 'broadcast', participants },
      { taskQueue: harness.taskQueue },
    );
    await expect(panel.setOrchestrationStrategy('selector')).rejects.toThrow(
      'cannot change strategy: the selector strategy needs `selector:` settings, at least `model` (provider and model) for the model that picks speakers, which this session was started without',
    );
    await expect(panel.sendMessage('user', 'Still broadcast?')).resolves.toHaveLength(2);
    await panel.close();
  });
});
