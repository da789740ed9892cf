import { temporal } from '@temporalio/proto';
import { skipExpert, startCouncil } from '../../client/api/council';
import { readCouncilProgress } from '../../client/api/councilRead';
import type { CouncilWorkflowResult } from '../../common/council';
import { waitFor } from '../helpers/wait';
import { useDelayedHarness } from '../helpers/delayedMock';
import { council, expert, model } from './support';

const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
/** Far longer than any test: a call still held this long was never cancelled. */
const HELD_MS = 60_000;
const backupModel = { provider: 'openai', model: 'gpt-4o-backup' } as const;

describe('skipping a council expert on the real dev server', () => {
  const bench = useDelayedHarness('council-skip');

  const start = (context: Parameters<typeof startCouncil>[1]) =>
    startCouncil(bench.harness.client, context, { taskQueue: bench.harness.taskQueue });
  const pending = async (councilId: string) =>
    (await bench.harness.client.workflow.getHandle(councilId).describe()).raw.pendingActivities ?? [];
  const arrivalsOf = (speaker: string) => bench.answers.arrivals.filter((a) => a.speaker === speaker);

  it('cancels the straggler, records its turn as skipped and synthesizes without it', async () => {
    // Expert B straggles; the synthesizer is held too, so the council is still running when B's
    // activity reports its cancellation.
    bench.answers.delays = new Map([
      [`Expert B|${model.model}`, HELD_MS],
      [`Synthesizer|${model.model}`, HELD_MS],
    ]);
    const councilId = await start(council('parallel', [expert('a'), expert('b')]));
    await waitFor('Expert B to be in its call', async () => {
      const calls = await pending(councilId);
      return arrivalsOf('Expert B').length === 1 && calls.some((c) => c.state === STARTED);
    });
    await expect(skipExpert(bench.harness.client, councilId, 'nobody')).rejects.toThrow(
      'no expert "nobody" in this council: its experts are a, b',
    );
    await waitFor('Expert A to have answered', async () => {
      const { events } = await readCouncilProgress(bench.harness.client, councilId);
      return events.some((e) => e.kind === 'expert' && e.expertId === 'a' && e.state === 'done');
    });
    await expect(skipExpert(bench.harness.client, councilId, 'a')).rejects.toThrow(
      'expert "a" has no call in flight',
    );

    const skippedAt = Date.now();
    expect(await skipExpert(bench.harness.client, councilId, 'b')).toEqual({
      expertId: 'b',
      round: 1,
      cancelledCalls: 1,
    });
    await expect(skipExpert(bench.harness.client, councilId, 'b')).rejects.toThrow(
      'expert "b" has no call in flight',
    );
    // The activity learns of the cancellation at its next heartbeat and ends as cancelled, long
    // before its answer (a minute away) would have come.
    await waitFor('the synthesis to start', () => arrivalsOf('Synthesizer').length === 1);
    await waitFor('B to report its cancellation', async () =>
      (await pending(councilId)).every((c) => c.activityId !== 'r1.answer.b'),
    );
    expect(Date.now() - skippedAt).toBeLessThan(15_000);
    const handle = bench.harness.client.workflow.getHandle(councilId);
    const history = (await handle.fetchHistory()).events ?? [];
    expect(history.filter((e) => e.activityTaskCanceledEventAttributes)).toHaveLength(1);
    bench.answers.letGo();

    const result = (await handle.result()) as CouncilWorkflowResult;
    expect(result.outputs.b).toMatchObject({
      status: 'skipped',
      content: '',
      error: { type: 'Skipped', message: 'Expert B was skipped by a person in round 1' },
    });
    expect(result.outputs.a).toMatchObject({ status: 'done', content: 'Expert A: answer from gpt-4o-mini' });
    expect(result.failedExperts).toEqual([]);
    expect(result.synthesis.status).toBe('done');
    const prompt = arrivalsOf('Synthesizer')[0]?.prompt ?? '';
    expect(prompt).toContain('Expert A: answer from gpt-4o-mini');
    expect(prompt).not.toContain('Expert B: answer');
    expect(prompt).toContain('## Skipped Experts');
    expect(prompt).toContain('(b) was skipped by a person in round 1');
    const { events } = await readCouncilProgress(bench.harness.client, councilId);
    const ofB = events
      .filter((e) => e.kind === 'expert' && e.expertId === 'b')
      .map((e) => e.kind === 'expert' && e.state);
    expect(ofB).toEqual(['thinking', 'skipped']);
  });

  it("a hedged expert's skip cancels its backup too, and starts none after it", async () => {
    bench.answers.delays = new Map([
      [`Expert B|${model.model}`, HELD_MS],
      [`Expert B|${backupModel.model}`, HELD_MS],
    ]);
    const hedge = { afterMs: 500, backup: { name: 'Backup', model: backupModel } };
    const councilId = await start(council('parallel', [expert('a'), expert('b')], { hedge }));
    await waitFor('Expert B and its backup to be in their calls', async () => {
      const started = (await pending(councilId)).filter((c) => c.state === STARTED);
      return arrivalsOf('Expert B').length === 2 && started.length === 2;
    });
    expect(await skipExpert(bench.harness.client, councilId, 'b')).toMatchObject({ cancelledCalls: 2 });
    const result = (await bench.harness.client.workflow
      .getHandle(councilId)
      .result()) as CouncilWorkflowResult;
    bench.answers.letGo();
    expect(result.outputs.b).toMatchObject({ status: 'skipped', content: '' });
    expect(result.outputs.b?.hedgedBy).toBeUndefined();
    expect(arrivalsOf('Synthesizer')[0]?.prompt).not.toContain('Expert B: answer');
  });
});
