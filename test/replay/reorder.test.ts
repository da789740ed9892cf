import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowBundle } from '@temporalio/worker';
import { isModelCallScheduled } from '../durability/support/temporal';
import { testEnvironment } from '../helpers/testEnv';
import { bundleWithModuleSwapped, loadHistory, replayOne as replay, type History } from './support';

/** Recorded by `npx tsx scripts/record-histories.ts call-ids`: every call has its id. */
const WITH_IDS = 'session-broadcast.call-ids.json';
/** Recorded before the ids: calls are numbered in the order they start. */
const WITHOUT_IDS = 'session-broadcast.json';

/** The activity ids a history scheduled, in order. */
function scheduledIds(history: History): string[] {
  return (history.events ?? [])
    .filter(isModelCallScheduled)
    .flatMap((event) => event.activityTaskScheduledEventAttributes?.activityId ?? []);
}

describe('replay catches a reordering of the calls a broadcast starts', () => {
  let reordered: WorkflowBundle;
  let current: WorkflowBundle;

  beforeAll(async () => {
    current = { code: readFileSync(testEnvironment().bundlePath, 'utf8') };
    // The real workflows, with broadcast swapped for one that starts its calls in reverse order.
    const real = path.resolve(__dirname, '../../workflows/strategies/broadcast');
    reordered = await bundleWithModuleSwapped(real, path.resolve(__dirname, 'reordered/broadcast'));
  });

  it('names every call of the recorded broadcast by round, phase and participant', () => {
    const ids = scheduledIds(loadHistory(WITH_IDS));
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(id).toMatch(/^r\d+\.(answer|evaluate)\.[A-Za-z0-9-]+$/);
    expect(ids.slice(0, 4)).toEqual([
      'r1.answer.Moderator',
      'r1.answer.Worker-1',
      'r1.answer.Supervisor',
      'r1.answer.Panelist',
    ]);
  });

  it('replays the recorded broadcast on the current code', async () => {
    expect(await replay(current, loadHistory(WITH_IDS))).toBeUndefined();
  });

  it('fails with a non-determinism error when the code starts the same calls in another order', async () => {
    const error = await replay(reordered, loadHistory(WITH_IDS));
    expect(String(error)).toMatch(/nondetermin/i);
    expect(String(error)).toMatch(/r1\.answer\./);
  });

  it('without ids (a history from before them) the same reordering went unnoticed: the hole the ids close', async () => {
    expect(await replay(reordered, loadHistory(WITHOUT_IDS))).toBeUndefined();
  });
});
