import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { temporal } from '@temporalio/proto';
import { startCouncil } from '../../client/api/council';
import { MultiParticipantSession } from '../../client/api/session';
import { council, expert, scriptedCouncil } from '../council/support';
import { useMockHarness } from '../helpers/mockHarness';
import { BASELINE_PATCH, BASELINE_PATCHES } from '../../workflows/shared/patches';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const panelist = (name: string) => ({ name, role: 'panelist' as const, model });

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * Patch ids added after the baseline: asked of the SDK in every run, never added to BASELINE_PATCHES
 * (a baseline run recorded before such a patch must replay down its old path). Name a new one here.
 */
const PATCHES_AFTER_BASELINE: string[] = [
  'call-again-after-worker-loss',
  'role-requests',
  'cancelled-council-summary',
  'deadline-counts-same-task-answers',
  'no-conclusion-status',
  'budget-ends-rounds',
];

/** Every patch id the workflow-side code defines (`NAME_PATCH = 'id'`). */
function patchIdsInCode(): string[] {
  const root = path.resolve(__dirname, '../..');
  const files = ['workflows', 'common'].flatMap((dir) =>
    readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => path.join(root, dir, file)),
  );
  return files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/_PATCH\s*=\s*'([^']+)'/g)].map((match) => match[1] ?? ''),
  );
}

/** The ids of the patch markers a history holds, in order. */
function patchMarkerIds(events: HistoryEvent[]): string[] {
  return events.flatMap((event) => {
    const marker = event.markerRecordedEventAttributes;
    const data = marker?.markerName === 'core_patch' && marker.details?.['patch-data']?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data).toString()) as { id: string }).id] : [];
  });
}

/** The upserts the SDK makes beside a patch marker: the TemporalChangeVersion search attribute. */
function changeVersionUpserts(events: HistoryEvent[]): number {
  return events.filter(
    (event) =>
      event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields
        ?.TemporalChangeVersion,
  ).length;
}

// Each patch a new run meets records a marker and an upsert of TemporalChangeVersion: two history
// events and a visibility write, per patch and per run. A new run records one marker,
// the baseline's, which stands for every patch of its day.
describe('the patches a new run records', () => {
  const bench = useMockHarness('patch-baseline', (mock) => scriptedCouncil(mock));

  it('covers every patch of its day, and none added since', () => {
    const ids = patchIdsInCode();
    expect([...BASELINE_PATCHES].filter((id) => !ids.includes(id))).toEqual([]);
    expect(ids.filter((id) => id !== BASELINE_PATCH && !BASELINE_PATCHES.has(id)).sort()).toEqual(
      PATCHES_AFTER_BASELINE.sort(),
    );
  });

  it('a session of a round, closed: the baseline marker alone', async () => {
    const { client, taskQueue } = bench.harness;
    const session = await MultiParticipantSession.create(
      client,
      { strategy: 'broadcast', participants: [panelist('M1'), panelist('M2')] },
      { taskQueue },
    );
    await session.sendMessage('user', 'One question');
    await session.close();
    const events = (await client.workflow.getHandle(session.sessionId).fetchHistory()).events ?? [];
    expect(patchMarkerIds(events)).toEqual([BASELINE_PATCH]);
    expect(changeVersionUpserts(events)).toBe(1);
  });

  it('a council of two experts and a synthesis: the baseline marker alone', async () => {
    const { client, taskQueue } = bench.harness;
    const id = await startCouncil(client, council('parallel', [expert('a'), expert('b')]), { taskQueue });
    await client.workflow.getHandle(id).result();
    const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
    expect(patchMarkerIds(events)).toEqual([BASELINE_PATCH]);
    expect(changeVersionUpserts(events)).toBe(1);
  });
});
