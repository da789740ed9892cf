import { executeCouncilExperts } from '../../client/api/council';
import { councilContextSchema } from '../../common/council';
import { zodProblem } from '../../common/validation';
import { useDelayedHarness } from '../helpers/delayedMock';
import { council, expert, model } from './support';

const councilBackup = { name: 'Backup', model: { provider: 'openai', model: 'gpt-4o-backup' } } as const;
const ownBackup = { name: 'B backup', model: { provider: 'openai', model: 'gpt-4o-b-backup' } } as const;
const STRAGGLER_MS = 20_000;

describe("an expert's own hedge on the real dev server", () => {
  const bench = useDelayedHarness('council-expert-hedge');

  const run = (context: Parameters<typeof executeCouncilExperts>[1]) =>
    executeCouncilExperts(bench.harness.client, context, undefined, undefined, {
      taskQueue: bench.harness.taskQueue,
    });
  const backupsOf = (backupModel: string) =>
    bench.answers.arrivals.filter((a) => a.model === backupModel).map((a) => a.speaker);

  it("an expert's own hedge overrides the council's: each straggler is answered by its own backup", async () => {
    bench.answers.delays = new Map([
      [`Expert A|${model.model}`, STRAGGLER_MS],
      [`Expert B|${model.model}`, STRAGGLER_MS],
    ]);
    const experts = [expert('a'), expert('b', { hedge: { afterMs: 1_500, backup: ownBackup } })];
    const result = await run(
      council('parallel', experts, { hedge: { afterMs: 1_500, backup: councilBackup } }),
    );
    bench.answers.letGo();

    expect(result.outputs.a).toMatchObject({
      content: 'Expert A: answer from gpt-4o-backup',
      hedgedBy: 'Backup',
    });
    expect(result.outputs.b).toMatchObject({
      content: 'Expert B: answer from gpt-4o-b-backup',
      hedgedBy: 'B backup',
    });
    expect(backupsOf(councilBackup.model.model)).toEqual(['Expert A']);
    expect(backupsOf(ownBackup.model.model)).toEqual(['Expert B']);
  });

  it('without a council-wide hedge, only the expert with its own hedge gets a backup', async () => {
    bench.answers.delays = new Map([
      [`Expert A|${model.model}`, 4_000],
      [`Expert B|${model.model}`, STRAGGLER_MS],
    ]);
    const experts = [expert('a'), expert('b', { hedge: { afterMs: 1_500, backup: ownBackup } })];
    const result = await run(council('parallel', experts));
    bench.answers.letGo();

    expect(result.outputs.a).toMatchObject({ content: 'Expert A: answer from gpt-4o-mini' });
    expect(result.outputs.a?.hedgedBy).toBeUndefined();
    expect(result.outputs.b).toMatchObject({
      content: 'Expert B: answer from gpt-4o-b-backup',
      hedgedBy: 'B backup',
    });
    expect(backupsOf(ownBackup.model.model)).toEqual(['Expert B']);
  });

  it('an expert with hedge: false opts out of the council-wide hedge: no backup call for it', async () => {
    bench.answers.delays = new Map([
      [`Expert A|${model.model}`, 4_000],
      [`Expert B|${model.model}`, STRAGGLER_MS],
    ]);
    const experts = [expert('a', { hedge: false }), expert('b')];
    const result = await run(
      council('parallel', experts, { hedge: { afterMs: 1_500, backup: councilBackup } }),
    );
    bench.answers.letGo();

    expect(result.outputs.a).toMatchObject({ content: 'Expert A: answer from gpt-4o-mini' });
    expect(result.outputs.a?.hedgedBy).toBeUndefined();
    expect(result.outputs.b).toMatchObject({ hedgedBy: 'Backup' });
    expect(backupsOf(councilBackup.model.model)).toEqual(['Expert B']);
  });

  it("the worker's provider policy covers an expert's own backup: refused before any call", async () => {
    const backup = { model: { ...ownBackup.model, apiKeyEnv: 'SECRET_DB_PASSWORD' } };
    const experts = [expert('a'), expert('b', { hedge: { afterMs: 1_500, backup } })];

    await expect(run(council('parallel', experts))).rejects.toThrow(/SECRET_DB_PASSWORD/);
    expect(bench.answers.arrivals).toEqual([]);
  });

  it("refuses an expert's hedge outside parallel mode, naming the expert", () => {
    const experts = [expert('a'), expert('b', { hedge: { afterMs: 1_500, backup: ownBackup } })];
    const parsed = councilContextSchema.safeParse(council('sequential', experts));
    expect(parsed.success ? '' : zodProblem(parsed.error)).toContain(
      'activeExperts[1].hedge: hedge applies to parallel mode only (this council is "sequential")',
    );
  });
});
