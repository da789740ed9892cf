import { readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../workers/worker';
import { isModelCallScheduled } from '../durability/support/temporal';
import { testEnvironment } from '../helpers/testEnv';

type History = temporal.api.history.v1.IHistory;

const HISTORIES_DIR = path.resolve(__dirname, '../fixtures/histories');
/** Recorded by `npx tsx scripts/record-histories.ts call-ids`: every call has its id. */
const WITH_IDS = 'session-broadcast.call-ids.json';
/** Recorded before the ids: calls are numbered in the order they start. */
const WITHOUT_IDS = 'session-broadcast.json';

function loadHistory(file: string): History {
  const json = JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')) as Record<string, unknown>;
  return temporal.api.history.v1.History.fromObject(json);
}

async function replay(bundle: WorkflowBundle, history: History): Promise<unknown> {
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, [
    { workflowId: 'replayed', history },
  ]))
    return result.error;
  throw new Error('nothing replayed');
}

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
    reordered = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: {
        log: () => undefined,
        trace: () => undefined,
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: (m: string) => console.error(m),
      },
      webpackConfigHook: (config) => ({
        ...config,
        resolve: {
          ...config.resolve,
          alias: {
            ...(config.resolve?.alias as object),
            [real]: path.resolve(__dirname, 'reordered/broadcast'),
          },
        },
      }),
    });
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
