import { selectorSettingsSchema } from '../../common/selector';
import { STRATEGIES } from '../../workflows/strategies';
import { checkParticipants, runRound } from '../../workflows/strategies/roles';
import { scriptedInvoker, scriptedSeam, spec } from './scriptedInvoker';

const names = (calls: { name: string }[]) => calls.map((call) => call.name);

describe('strategies over a scripted invoker', () => {
  it('broadcast calls everyone at once, showing nobody anything', async () => {
    const { invoke, calls } = scriptedInvoker();
    const responses = await runRound(
      STRATEGIES.broadcast,
      [spec('A'), spec('B'), spec('C')],
      invoke,
      scriptedSeam().seam,
    );
    expect(names(calls)).toEqual(['A', 'B', 'C']);
    expect(calls.every((call) => call.startedAt === 0 && call.shown.length === 0)).toBe(true);
    expect(responses.map((r) => r.participantName)).toEqual(['A', 'B', 'C']);
  });

  it('roundRobin goes in order of joining, each seeing the answers before it', async () => {
    const { invoke, calls } = scriptedInvoker();
    await runRound(STRATEGIES.roundRobin, [spec('A'), spec('B'), spec('C')], invoke, scriptedSeam().seam);
    expect(calls.map((call) => [call.name, call.shown])).toEqual([
      ['A', []],
      ['B', ['A']],
      ['C', ['A', 'B']],
    ]);
    expect(calls.map((call) => call.startedAt)).toEqual([0, 1, 2]);
  });

  it('roundRobin shows the next participant only the answers that exist', async () => {
    const { invoke, calls } = scriptedInvoker(['B']);
    const responses = await runRound(
      STRATEGIES.roundRobin,
      [spec('A'), spec('B'), spec('C')],
      invoke,
      scriptedSeam().seam,
    );
    expect(calls[2]).toMatchObject({ name: 'C', shown: ['A'] });
    expect(responses.map((r) => r.status)).toEqual(['ok', 'failed', 'ok']);
  });

  it('moderatorLed: the moderator first, then the others in parallel, each seeing the moderator', async () => {
    const { invoke, calls } = scriptedInvoker();
    await runRound(
      STRATEGIES.moderatorLed,
      [spec('E1'), spec('Mod', 'moderator'), spec('E2')],
      invoke,
      scriptedSeam().seam,
    );
    // Then the moderator's synthesis (test/strategies/roleCalls.test.ts).
    expect(names(calls)).toEqual(['Mod', 'E1', 'E2', 'Mod']);
    expect(calls[1]).toMatchObject({ shown: ['Mod'], startedAt: 1 });
    expect(calls[2]).toMatchObject({ shown: ['Mod'], startedAt: 1 });
  });

  it('hierarchical: workers in parallel, then supervisors seeing every worker', async () => {
    const { invoke, calls } = scriptedInvoker(['W2']);
    const participants = [
      spec('Boss', 'supervisor'),
      spec('W1', 'worker'),
      spec('W2', 'worker'),
      spec('W3', 'worker'),
    ];
    await runRound(STRATEGIES.hierarchical, participants, invoke, scriptedSeam().seam);
    // First the supervisor's assignment (test/strategies/roleCalls.test.ts).
    expect(names(calls)).toEqual(['Boss', 'W1', 'W2', 'W3', 'Boss']);
    expect(calls.slice(1, 4).every((call) => call.startedAt === 1)).toBe(true);
    // The failed W2 too: the supervisor is told which worker failed (its turn says so and why).
    expect(calls[4]).toMatchObject({ name: 'Boss', shown: ['W1', 'W2', 'W3'] });
  });

  it('custom: highest priority first, ties in order of joining', async () => {
    const { invoke, calls } = scriptedInvoker();
    const participants = [
      spec('Junior', 'panelist', 1),
      spec('Senior', 'panelist', 5),
      spec('Principal', 'panelist', 10),
      spec('Senior2', 'panelist', 5),
    ];
    await runRound(STRATEGIES.custom, participants, invoke, scriptedSeam().seam);
    expect(names(calls)).toEqual(['Principal', 'Senior', 'Senior2', 'Junior']);
    expect(calls[3]?.shown).toEqual(['Principal', 'Senior', 'Senior2']);
  });
});

describe('roles under every strategy', () => {
  it.each(Object.keys(STRATEGIES))(
    '%s never calls observers and runs evaluators last, seeing every answer',
    async (name) => {
      const strategy = STRATEGIES[name as keyof typeof STRATEGIES];
      const { invoke, calls } = scriptedInvoker();
      const participants = [
        spec('Eval', 'evaluator'),
        spec('Mod', 'moderator'),
        spec('Watcher', 'observer'),
        spec('W', 'worker'),
        spec('Sup', 'supervisor'),
      ];
      // The selector needs its settings (its scripted model answers nothing: picks fall back in order).
      const settings = { selector: selectorSettingsSchema.parse({ model: spec('S').model, maxTurns: 3 }) };
      const responses = await runRound(strategy, participants, invoke, scriptedSeam({ settings }).seam);
      expect(names(calls)).not.toContain('Watcher');
      expect(calls.at(-1)).toMatchObject({ name: 'Eval' });
      // Shown each once, or twice when one also made the round's synthesis or assignment.
      expect([...new Set(calls.at(-1)?.shown)].sort()).toEqual(['Mod', 'Sup', 'W']);
      expect(responses.filter((response) => !response.kind)).toHaveLength(4);
    },
  );

  it('outside moderatorLed and hierarchical, moderator/supervisor/worker answer like panelists', async () => {
    const { invoke, calls } = scriptedInvoker();
    await runRound(
      STRATEGIES.roundRobin,
      [spec('Sup', 'supervisor'), spec('Mod', 'moderator'), spec('W', 'worker')],
      invoke,
      scriptedSeam().seam,
    );
    expect(names(calls)).toEqual(['Sup', 'Mod', 'W']);
  });

  it('says what is missing when a strategy lacks the roles it needs', () => {
    expect(checkParticipants(STRATEGIES.moderatorLed, [spec('A')])).toMatch(
      /needs a participant with role "moderator"/,
    );
    expect(checkParticipants(STRATEGIES.hierarchical, [spec('W', 'worker')])).toMatch(/"supervisor"/);
    expect(checkParticipants(STRATEGIES.hierarchical, [spec('S', 'supervisor')])).toMatch(/"worker"/);
    expect(checkParticipants(STRATEGIES.broadcast, [spec('O', 'observer')])).toMatch(
      /at least one participant/,
    );
    expect(
      checkParticipants(STRATEGIES.hierarchical, [spec('S', 'supervisor'), spec('W', 'worker')]),
    ).toBeUndefined();
  });
});
