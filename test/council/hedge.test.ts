import path from 'node:path';
import { councilRows } from '../../client/cli/councilShow';
import { answerJson } from '../../client/cli/jsonOutput';
import { loadConfigFile } from '../../client/api/config';
import { configModels } from '../../client/cli/simulated';
import { executeCouncilExperts } from '../../client/api/council';
import { councilContextSchema } from '../../common/council';
import { zodProblem } from '../../common/validation';
import { isModelCallScheduled } from '../durability/support/temporal';
import { useDelayedHarness } from '../helpers/delayedMock';
import { council, expert, model } from './support';

const backupModel = { provider: 'openai', model: 'gpt-4o-backup' } as const;
const STRAGGLER_MS = 20_000;

describe('council hedging on the real dev server', () => {
  const bench = useDelayedHarness('council-hedge');

  const run = (context: Parameters<typeof executeCouncilExperts>[1]) =>
    executeCouncilExperts(bench.harness.client, context, undefined, undefined, {
      taskQueue: bench.harness.taskQueue,
    });
  const hedge = { afterMs: 1_500, backup: { name: 'Backup', model: backupModel } };

  it('a straggling expert is answered by the backup after afterMs, long before its own call would end', async () => {
    bench.answers.delays = new Map([[`Expert B|${model.model}`, STRAGGLER_MS]]);
    const started = Date.now();
    const result = await run(council('parallel', [expert('a'), expert('b')], { hedge }));
    const elapsed = Date.now() - started;
    bench.answers.letGo();

    expect(result.outputs.b).toMatchObject({
      status: 'done',
      content: 'Expert B: answer from gpt-4o-backup',
      hedgedBy: 'Backup',
    });
    expect(result.outputs.a).toMatchObject({ content: 'Expert A: answer from gpt-4o-mini' });
    expect(result.outputs.a?.hedgedBy).toBeUndefined();
    expect(elapsed).toBeLessThan(STRAGGLER_MS / 2);
    // `--json` rows say who answered, and the JSON document keeps it.
    const row = councilRows(result).find((r) => r.name === 'Expert B');
    expect(answerJson.parse(row)).toMatchObject({
      name: 'Expert B',
      role: 'expert, answered by its backup Backup',
      hedgedBy: 'Backup',
    });
    // The backup was sent the straggler's very prompt.
    const own = bench.answers.arrivals.find((a) => a.speaker === 'Expert B' && a.model === model.model);
    const backups = bench.answers.arrivals.filter((a) => a.model === backupModel.model);
    expect(backups.map((a) => a.speaker)).toEqual(['Expert B']);
    expect(backups[0]?.prompt).toBe(own?.prompt);
    // The backup was scheduled once afterMs had passed since the expert's own call was (server times).
    const handle = bench.harness.client.workflow.getHandle(result.councilId);
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = events.filter(isModelCallScheduled);
    const at = (id: string) => {
      const event = scheduled.find((e) => e.activityTaskScheduledEventAttributes?.activityId === id);
      return Number(event?.eventTime?.seconds ?? 0) * 1000 + Number(event?.eventTime?.nanos ?? 0) / 1e6;
    };
    expect(at('r1.hedge.b') - at('r1.answer.b')).toBeGreaterThanOrEqual(hedge.afterMs);
    // The straggler's own call was cancelled, not awaited.
    expect(scheduled).toHaveLength(4);
    expect(events.filter((e) => e.activityTaskCancelRequestedEventAttributes)).toHaveLength(1);
  });

  it("under a budget, the hedged expert's cost counts both calls: the cancelled straggler was billed too", async () => {
    bench.answers.delays = new Map([[`Expert B|${model.model}`, STRAGGLER_MS]]);
    // Output only is billed ($1000/MTok): a 100-token call's worst case is $0.1, its answer's 5 tokens $0.005.
    const price = { inputPerMTok: 0, outputPerMTok: 1000 };
    const bounded = { maxOutputTokens: 100, retry: { maximumAttempts: 1 } };
    const priced = { ...model, price };
    const result = await run(
      council(
        'parallel',
        [expert('a', { model: priced, ...bounded }), expert('b', { model: priced, ...bounded })],
        {
          hedge: {
            afterMs: hedge.afterMs,
            backup: { name: 'Backup', model: { ...backupModel, price }, ...bounded },
          },
          synthesisConfig: { model: priced, ...bounded },
          budget: { maxCostUsd: 10 },
        },
      ),
    );
    bench.answers.letGo();

    expect(result.outputs.b).toMatchObject({ status: 'done', hedgedBy: 'Backup' });
    // The cancelled call is charged its whole worst case ($0.1), the backup its answer ($0.005).
    expect(result.outputs.b?.costUsd).toBeCloseTo(0.105, 9);
    expect(result.outputs.a?.costUsd).toBeCloseTo(0.005, 9);
    const total = Object.values(result.outputs).reduce((sum, o) => sum + (o.costUsd ?? 0), 0);
    expect(total + (result.synthesis.costUsd ?? 0)).toBeCloseTo(result.budget?.spent.usd ?? -1, 9);
  });

  it("when the expert's own call answers first after all, the backup is cancelled and hedgedBy stays unset", async () => {
    bench.answers.delays = new Map([
      [`Expert B|${model.model}`, hedge.afterMs + 3_000],
      [`Expert B|${backupModel.model}`, STRAGGLER_MS],
    ]);
    const started = Date.now();
    const result = await run(council('parallel', [expert('a'), expert('b')], { hedge }));
    const elapsed = Date.now() - started;
    bench.answers.letGo();

    expect(result.outputs.b).toMatchObject({ content: 'Expert B: answer from gpt-4o-mini' });
    expect(result.outputs.b?.hedgedBy).toBeUndefined();
    expect(bench.answers.arrivals.filter((a) => a.model === backupModel.model).map((a) => a.speaker)).toEqual(
      ['Expert B'],
    );
    expect(elapsed).toBeLessThan(STRAGGLER_MS / 2);
    const events =
      (await bench.harness.client.workflow.getHandle(result.councilId).fetchHistory()).events ?? [];
    expect(events.filter((e) => e.activityTaskCancelRequestedEventAttributes)).toHaveLength(1);
  });

  it('an expert that answers before afterMs never starts the backup', async () => {
    // Answers take 100 ms; the wide afterMs keeps a busy machine's slow pickup from starting a backup.
    const patient = { ...hedge, afterMs: 5_000 };
    const result = await run(council('parallel', [expert('a'), expert('b')], { hedge: patient }));

    expect(bench.answers.arrivals.filter((a) => a.model === backupModel.model)).toEqual([]);
    expect(bench.answers.arrivals.map((a) => a.speaker).sort()).toEqual([
      'Expert A',
      'Expert B',
      'Synthesizer',
    ]);
    expect(result.outputs.a?.hedgedBy).toBeUndefined();
    expect(result.outputs.b?.hedgedBy).toBeUndefined();
  });

  it("the worker's provider policy covers the backup: a refused backup model stops the council before any call", async () => {
    const backup = { model: { ...backupModel, apiKeyEnv: 'SECRET_DB_PASSWORD' } };
    const context = council('parallel', [expert('a')], { hedge: { afterMs: 1_500, backup } });

    await expect(run(context)).rejects.toThrow(/SECRET_DB_PASSWORD/);
    expect(bench.answers.arrivals).toEqual([]);
  });

  it('refuses a hedge outside parallel mode and an afterMs under 100 ms, saying how to fix it', () => {
    const experts = [expert('a'), expert('b')];
    const sequential = councilContextSchema.safeParse(council('sequential', experts, { hedge }));
    expect(sequential.success ? '' : zodProblem(sequential.error)).toContain(
      'hedge applies to parallel mode only (this council is "sequential")',
    );
    const quick = councilContextSchema.safeParse(
      council('parallel', experts, { hedge: { ...hedge, afterMs: 10 } }),
    );
    expect(quick.success ? '' : zodProblem(quick.error)).toContain('hedge.afterMs must be at least 100 ms');
  });

  it('examples/hedged.yaml is valid, and its backup model counts among the models whose keys the run needs', () => {
    const config = loadConfigFile(path.resolve(__dirname, '../../examples/hedged.yaml'));
    expect(configModels(config)).toContainEqual({ provider: 'anthropic', model: 'claude-haiku-4-5' });
    // The Senior Engineer's own backup too.
    expect(configModels(config)).toContainEqual({ provider: 'openai', model: 'gpt-4.1' });
  });
});
