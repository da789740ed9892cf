import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from '@temporalio/worker';
import { testEnvironment } from '../helpers/testEnv';
import { HISTORIES_DIR, loadHistory, type History } from './support';

/** Histories per test: each test stays within its timeout however many recordings there come to be. */
const HISTORIES_PER_TEST = 20;

async function replay(bundle: { code: string }, histories: Array<{ workflowId: string; history: History }>) {
  const results = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories))
    results.push(result);
  return results;
}

/** `files` in order, cut into runs of HISTORIES_PER_TEST, each named by its first and last file. */
function chunks(files: string[]): Array<[string, string[]]> {
  const sorted = [...files].sort();
  const cut: Array<[string, string[]]> = [];
  for (let start = 0; start < sorted.length; start += HISTORIES_PER_TEST) {
    const chunk = sorted.slice(start, start + HISTORIES_PER_TEST);
    cut.push([
      `${start + 1}-${start + chunk.length} of ${sorted.length} (${chunk[0]} to ${chunk.at(-1)})`,
      chunk,
    ]);
  }
  return cut;
}

describe('replay of recorded histories against the current workflow code', () => {
  const files = readdirSync(HISTORIES_DIR).filter((file) => file.endsWith('.json'));

  it('has a recorded history for every strategy and every council mode', () => {
    expect(files.map((file) => file.replace(/\.json$/, '')).sort()).toEqual(
      expect.arrayContaining([
        'council-adversarial',
        'council-cancelled',
        'council-parallel',
        'council-no-conclusion',
        'council-peer-review',
        'council-period-budget',
        'council-period-spent',
        'council-resynthesis',
        'council-routing',
        'council-sequential',
        'council-skip',
        'council-webhook',
        'session-broadcast',
        'session-custom',
        'session-hierarchical',
        'session-local-call',
        'session-moderatorLed',
        'session-roundRobin',
        'session-selector',
      ]),
    );
  });

  let bundle: { code: string };
  beforeAll(() => {
    bundle = { code: readFileSync(testEnvironment().bundlePath, 'utf8') };
  });

  // A fixed number of histories per test, each within the test timeout: the recordings grow with every patched change.
  it.each(chunks(files))('replays histories %s without a determinism error', async (_chunk, group) => {
    const results = await replay(
      bundle,
      group.map((file) => ({ workflowId: file, history: loadHistory(file) })),
    );
    expect(results).toHaveLength(group.length);
    for (const result of results)
      expect({ id: result.workflowId, error: result.error }).toEqual({
        id: result.workflowId,
        error: undefined,
      });
  });

  it('catches a change of behaviour: a history whose recorded commands differ fails to replay', async () => {
    const history = loadHistory('session-roundRobin.json');
    const scheduled = history.events?.find((event) => event.activityTaskScheduledEventAttributes);
    const attributes = scheduled?.activityTaskScheduledEventAttributes;
    if (!attributes?.activityType) throw new Error('fixture has no scheduled activity');
    attributes.activityType.name = 'someOtherActivity';
    const [result] = await replay(bundle, [{ workflowId: 'tampered', history }]);
    expect(result?.error).toBeDefined();
    expect(String(result?.error)).toMatch(/nondetermin/i);
  });
});
