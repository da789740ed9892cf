import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from '@temporalio/worker';
import { testEnvironment } from '../helpers/testEnv';
import { HISTORIES_DIR, loadHistory, type History } from './support';

async function replay(histories: Array<{ workflowId: string; history: History }>) {
  const bundle = { code: readFileSync(testEnvironment().bundlePath, 'utf8') };
  const results = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories))
    results.push(result);
  return results;
}

/**
 * The history files by recording: `NAME.json` (the first), `NAME.TAG.json` for the recordings a patch
 * baseline made, and the recordings of single patches together.
 */
function byRecording(files: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const file of files) {
    const recording = recordingOf(
      file
        .replace(/\.json$/, '')
        .split('.')
        .slice(1)
        .join('.'),
    );
    groups.set(recording, [...(groups.get(recording) ?? []), file]);
  }
  return groups;
}

function recordingOf(tag: string): string {
  if (tag === '') return 'the first recordings';
  if (tag.startsWith('baseline')) return `the recordings tagged ${tag}`;
  return "single patches' recordings";
}

describe('replay of recorded histories against the current workflow code', () => {
  const files = readdirSync(HISTORIES_DIR).filter((file) => file.endsWith('.json'));

  it('has a recorded history for every strategy and every council mode', () => {
    expect(files.map((file) => file.replace(/\.json$/, '')).sort()).toEqual(
      expect.arrayContaining([
        'council-adversarial',
        'council-cancelled',
        'council-parallel',
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

  // One test per recording, each within the test timeout: the histories grow with every patched change.
  it.each([...byRecording(files)])('replays %s without a determinism error', async (_recording, group) => {
    const results = await replay(group.map((file) => ({ workflowId: file, history: loadHistory(file) })));
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
    const [result] = await replay([{ workflowId: 'tampered', history }]);
    expect(result?.error).toBeDefined();
    expect(String(result?.error)).toMatch(/nondetermin/i);
  });
});
