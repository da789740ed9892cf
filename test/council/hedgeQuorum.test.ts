import { executeCouncilExperts } from '../../client/api/council';
import { useDelayedHarness } from '../helpers/delayedMock';
import { council, expert, model, requestsOf, userPrompt } from './support';

const backupModel = { provider: 'openai', model: 'gpt-4o-backup' } as const;
const backup = { name: 'Backup', model: backupModel };
const own = (speaker: string) => `${speaker}|${model.model}`;
const byBackup = (speaker: string) => `${speaker}|${backupModel.model}`;

describe('hedging in a council whose round closes at a quorum or deadline', () => {
  const bench = useDelayedHarness('council-hedge-quorum');

  const run = (context: Parameters<typeof executeCouncilExperts>[1]) =>
    executeCouncilExperts(bench.harness.client, context, undefined, undefined, {
      taskQueue: bench.harness.taskQueue,
    });
  const synthesisPrompt = () => {
    const [synthesis] = requestsOf(bench.mock, 'Synthesizer');
    return synthesis ? userPrompt(synthesis) : '';
  };

  it("a backup's answer takes the straggler's seat in the quorum; once it closes, the other backup is cancelled", async () => {
    // B's own call hangs, its backup is quick: A and B's backup make the quorum of 2 at ~1.6 s.
    // C's backup would answer at ~4.5 s, before C's own call (6 s), if it were left running.
    bench.answers.delays = new Map([
      [own('Expert B'), 20_000],
      [own('Expert C'), 6_000],
      [byBackup('Expert C'), 3_000],
    ]);
    const experts = [expert('a'), expert('b'), expert('c')];
    const result = await run(council('parallel', experts, { quorum: 2, hedge: { afterMs: 1_500, backup } }));
    bench.answers.letGo();

    expect(result.outputs.b).toMatchObject({
      content: 'Expert B: answer from gpt-4o-backup',
      hedgedBy: 'Backup',
    });
    expect(result.outputs.b?.late).toBeUndefined();
    expect(synthesisPrompt()).toContain('Expert B: answer from gpt-4o-backup');
    expect(synthesisPrompt()).not.toContain('Expert C');
    // The round closed without C: its seat is gone, so its backup was cancelled and its own call
    // answered late, as any late call does.
    expect(result.outputs.c).toMatchObject({ content: 'Expert C: answer from gpt-4o-mini', late: true });
    expect(result.outputs.c?.hedgedBy).toBeUndefined();
    const backups = bench.answers.arrivals.filter((a) => a.model === backupModel.model).map((a) => a.speaker);
    expect(backups.sort()).toEqual(['Expert B', 'Expert C']);
    const events =
      (await bench.harness.client.workflow.getHandle(result.councilId).fetchHistory()).events ?? [];
    const cancelled = events.filter((e) => e.activityTaskCancelRequestedEventAttributes);
    expect(cancelled).toHaveLength(2);
  });

  it('a round closed by its deadline before the hedge timer fires starts no backup; the straggler is late', async () => {
    bench.answers.delays = new Map([[own('Expert B'), 6_000]]);
    const hedge = { afterMs: 3_500, backup };
    const result = await run(council('parallel', [expert('a'), expert('b')], { deadlineMs: 1_500, hedge }));

    expect(bench.answers.arrivals.filter((a) => a.model === backupModel.model)).toEqual([]);
    expect(result.outputs.b).toMatchObject({ content: 'Expert B: answer from gpt-4o-mini', late: true });
    expect(result.outputs.b?.hedgedBy).toBeUndefined();
    expect(synthesisPrompt()).toContain('Expert A: answer from gpt-4o-mini');
    expect(synthesisPrompt()).not.toContain('Expert B');
  });
});
