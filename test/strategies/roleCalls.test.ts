import { estimateSession } from '../../client/cli/estimate';
import { sessionConfigSchema } from '../../common/session';
import { STRATEGIES } from '../../workflows/strategies';
import { MAX_TASK_CHARS, parseAssignments } from '../../workflows/strategies/assignment';
import { runRound } from '../../workflows/strategies/roles';
import { scriptedInvoker, scriptedSeam, spec } from './scriptedInvoker';

const workers = [spec('Worker-1', 'worker'), spec('Worker-10', 'worker'), spec('Research', 'worker')];

describe("moderatorLed: the moderator synthesizes the panel's responses", () => {
  it('calls the first moderator last, in phase synthesis, shown every panel response', async () => {
    const { invoke, calls } = scriptedInvoker(['E2']);
    const panel = [spec('E1'), spec('Mod', 'moderator'), spec('E2'), spec('Mod2', 'moderator')];
    const responses = await runRound(STRATEGIES.moderatorLed, panel, invoke, scriptedSeam().seam);
    expect(calls.map((call) => [call.name, call.phase, call.shown])).toEqual([
      ['Mod', undefined, []],
      ['Mod2', undefined, ['Mod']],
      ['E1', undefined, ['Mod', 'Mod2']],
      ['E2', undefined, ['Mod', 'Mod2']],
      ['Mod', 'synthesis', ['E1', 'E2']],
    ]);
    expect(calls[4]?.asked).toMatch(/^the question\n\nAs the moderator, synthesize/);
    expect(responses.map((r) => [r.participantName, r.kind])).toEqual([
      ['Mod', undefined],
      ['Mod2', undefined],
      ['E1', undefined],
      ['E2', undefined],
      ['Mod', 'synthesis'],
    ]);
  });

  it('makes no synthesis in rounds recorded before the patch', async () => {
    const { invoke, calls } = scriptedInvoker();
    const panel = [spec('E1'), spec('Mod', 'moderator')];
    await runRound(STRATEGIES.moderatorLed, panel, invoke, scriptedSeam({ patched: false }).seam);
    expect(calls.map((call) => call.name)).toEqual(['Mod', 'E1']);
  });
});

describe('hierarchical: the supervisor assigns each worker its task', () => {
  it('asks the first supervisor, gives each worker its task, notes who fell back', async () => {
    const answer =
      'Worker-10: count the wind farms\nWorker-1: list the solar panel makers\nnothing for Research';
    const { invoke, calls } = scriptedInvoker([], { Lead: answer });
    const { seam, notes } = scriptedSeam();
    const team = [spec('Lead', 'supervisor'), ...workers, spec('Second', 'supervisor')];
    const responses = await runRound(STRATEGIES.hierarchical, team, invoke, seam);
    expect(calls.map((call) => [call.name, call.phase])).toEqual([
      ['Lead', 'assign'],
      ['Worker-1', undefined],
      ['Worker-10', undefined],
      ['Research', undefined],
      ['Lead', undefined],
      ['Second', undefined],
    ]);
    expect(calls[0]?.asked).toContain('"Worker-1", "Worker-10", "Research"');
    expect(calls[1]?.asked).toMatch(/assigned by the supervisor "Lead":\n\nlist the solar panel makers$/);
    expect(calls[2]?.asked).toMatch(/count the wind farms$/);
    expect(calls[3]?.asked).toBe('the question');
    expect(notes).toEqual([
      `"Research" answer the round's message: "Lead"'s assignment has no line "Name: task" for them`,
    ]);
    expect(responses.map((r) => [r.participantName, r.kind])[0]).toEqual(['Lead', 'assignment']);
    expect(calls[4]?.shown).toEqual(['Worker-1', 'Worker-10', 'Research']);
  });

  it('gives every worker the round message when the assignment failed, and says why', async () => {
    const { invoke, calls } = scriptedInvoker(['Lead']);
    const { seam, notes } = scriptedSeam();
    await runRound(STRATEGIES.hierarchical, [spec('Lead', 'supervisor'), ...workers], invoke, seam);
    expect(calls.slice(1, 4).map((call) => call.asked)).toEqual(Array(3).fill('the question'));
    expect(notes[0]).toMatch(/"Lead"'s assignment failed: ProviderServerError/);
  });

  it('assigns nothing in rounds recorded before the patch', async () => {
    const { invoke, calls } = scriptedInvoker();
    const team = [spec('Lead', 'supervisor'), spec('W', 'worker')];
    await runRound(STRATEGIES.hierarchical, team, invoke, scriptedSeam({ patched: false }).seam);
    expect(calls.map((call) => [call.name, call.asked])).toEqual([
      ['W', 'the question'],
      ['Lead', expect.stringMatching(/^the question\n\nAs the supervisor, synthesize/)],
    ]);
  });

  it('reads lines leniently but deterministically; an empty or too long task is none', () => {
    const answer = [
      '- **Worker-1:** first task',
      '2. "worker-10": second task',
      'Worker-1: a later line for the same worker',
      `Research: ${'x'.repeat(MAX_TASK_CHARS + 1)}`,
      'Research:   ',
      'Someone-Else: not a worker',
    ].join('\n');
    expect([...parseAssignments(answer, workers)]).toEqual([
      ['Worker-1', 'first task'],
      ['Worker-10', 'second task'],
    ]);
  });
});

describe('each role is told what its call is for', () => {
  const asked = (calls: { name: string; asked: string }[]) => calls.map((call) => [call.name, call.asked]);

  it('evaluators are asked to assess, under a strategy that calls them last and under custom', async () => {
    const last = scriptedInvoker();
    await runRound(
      STRATEGIES.broadcast,
      [spec('A'), spec('Judge', 'evaluator')],
      last.invoke,
      scriptedSeam().seam,
    );
    expect(asked(last.calls)[1]?.[1]).toMatch(/^the question\n\nAs an evaluator, assess the responses/);
    const ranked = scriptedInvoker();
    const team = [spec('A', 'panelist', 2), spec('Judge', 'evaluator', 1)];
    await runRound(STRATEGIES.custom, team, ranked.invoke, scriptedSeam().seam);
    expect(asked(ranked.calls)).toEqual([
      ['A', 'the question'],
      ['Judge', expect.stringMatching(/^the question\n\nAs an evaluator, assess/)],
    ]);
  });

  it('an evaluator shown no response answers the message: first under custom, or every answer failed', async () => {
    const first = scriptedInvoker();
    const team = [spec('A', 'panelist', 1), spec('Judge', 'evaluator', 2)];
    await runRound(STRATEGIES.custom, team, first.invoke, scriptedSeam().seam);
    expect(asked(first.calls)[0]).toEqual(['Judge', 'the question']);
    const failed = scriptedInvoker(['A']);
    await runRound(
      STRATEGIES.broadcast,
      [spec('A'), spec('Judge', 'evaluator')],
      failed.invoke,
      scriptedSeam().seam,
    );
    expect(asked(failed.calls)[1]).toEqual(['Judge', 'the question']);
  });

  it('moderators with no panel after them answer the message; no request at all in rounds recorded before', async () => {
    const alone = scriptedInvoker();
    await runRound(STRATEGIES.moderatorLed, [spec('Mod', 'moderator')], alone.invoke, scriptedSeam().seam);
    expect(asked(alone.calls)).toEqual([['Mod', 'the question']]);
    const before = scriptedInvoker();
    const team = [spec('Lead', 'supervisor'), spec('W', 'worker'), spec('Judge', 'evaluator')];
    const rules = { roleRequests: false };
    await runRound(STRATEGIES.hierarchical, team, before.invoke, scriptedSeam().seam, rules);
    expect(before.calls.filter((call) => call.phase === undefined).map((call) => call.asked)).toEqual(
      Array(3).fill('the question'),
    );
  });

  it("hierarchical's supervisors are asked to synthesize the workers' output; the assignment keeps its ask", async () => {
    const { invoke, calls } = scriptedInvoker();
    const team = [spec('Lead', 'supervisor'), spec('W', 'worker'), spec('Second', 'supervisor')];
    await runRound(STRATEGIES.hierarchical, team, invoke, scriptedSeam().seam);
    expect(calls[0]?.asked).toContain('assign one task to each worker');
    expect(calls[0]?.asked).not.toContain('As the supervisor, synthesize');
    expect(calls[1]?.asked).toBe('the question');
    for (const call of calls.slice(2))
      expect(call.asked).toMatch(/^the question\n\nAs the supervisor, synthesize/);
  });

  it("moderatorLed's moderators are asked to frame the message first, then the lead to synthesize", async () => {
    const { invoke, calls } = scriptedInvoker();
    const panel = [spec('Mod', 'moderator'), spec('E1'), spec('Mod2', 'moderator')];
    await runRound(STRATEGIES.moderatorLed, panel, invoke, scriptedSeam().seam);
    expect(asked(calls).map(([name, text]) => [name, text?.split('\n\n')[1]?.slice(0, 30)])).toEqual([
      ['Mod', 'As the moderator, frame the me'],
      ['Mod2', 'As the moderator, frame the me'],
      ['E1', undefined],
      ['Mod', 'As the moderator, synthesize t'],
    ]);
  });

  it('a role with no special place under a strategy answers the plain message', async () => {
    const { invoke, calls } = scriptedInvoker();
    const panel = [spec('Mod', 'moderator'), spec('Sup', 'supervisor'), spec('W', 'worker')];
    await runRound(STRATEGIES.roundRobin, panel, invoke, scriptedSeam().seam);
    expect(calls.every((call) => call.asked === 'the question')).toBe(true);
  });
});

describe('council estimate counts the second call of a lead', () => {
  const callsOf = (strategy: 'moderatorLed' | 'hierarchical' | 'broadcast') =>
    estimateSession(
      sessionConfigSchema.parse({
        strategy,
        participants: [spec('Mod', 'moderator'), spec('Sup', 'supervisor'), spec('W', 'worker')],
      }),
    ).rows.map((row) => [row.name, row.calls]);

  it('the first moderator under moderatorLed, the first supervisor under hierarchical', () => {
    expect(callsOf('moderatorLed')).toEqual([
      ['Mod', 2],
      ['Sup', 1],
      ['W', 1],
    ]);
    expect(callsOf('hierarchical')).toEqual([
      ['Mod', 1],
      ['Sup', 2],
      ['W', 1],
    ]);
    expect(callsOf('broadcast').every(([, calls]) => calls === 1)).toBe(true);
  });
});
