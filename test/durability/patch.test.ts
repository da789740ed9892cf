import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LLMock } from '@copilotkit/aimock';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import OpenAI from 'openai';
import { createLlmActivities } from '../../activities';
import type { DevServer } from '../../client/runtime/devServer';
import { MultiParticipantSession } from '../../client/api/session';
import { SESSION_SUMMARY_MEMO_KEY } from '../../common/session';
import { BASELINE_PATCH } from '../../workflows/shared/patches';
import { SUMMARY_MEMO_PATCH } from '../../workflows/session/summary';
import { createCouncilWorker } from '../../workers/worker';
import { quietRuntime, testEnvironment } from '../helpers/testEnv';
import { answerWithLatency, startMock } from './support/llm';
import { startDurableServer } from './support/processes';
import { connectTo, panelist } from './support/temporal';

type History = temporal.api.history.v1.IHistory;

/** A history recorded with the patch (its own marker: before the baseline), kept for later changes. */
const PATCHED_FIXTURE = path.join(__dirname, 'fixtures', 'session-summary-memo.json');
/** A history recorded before the patch (by scripts/record-histories.ts). */
const PRE_PATCH_FIXTURE = path.resolve(__dirname, '../fixtures/histories/session-broadcast.json');

async function replay(history: History) {
  const bundle = { code: readFileSync(testEnvironment().bundlePath, 'utf8') };
  const results = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, [
    { workflowId: 'replayed', history },
  ]))
    results.push(result);
  return results[0]?.error;
}

function loadHistory(file: string): History {
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  return temporal.api.history.v1.History.fromObject(json);
}

/** The id of the patch whose marker this event is, if it is one. */
function patchMarkerId(event: temporal.api.history.v1.IHistoryEvent): string | undefined {
  const marker = event.markerRecordedEventAttributes;
  if (marker?.markerName !== 'core_patch') return undefined;
  const data = marker.details?.['patch-data']?.payloads?.[0]?.data;
  return data ? (JSON.parse(Buffer.from(data).toString()) as { id?: string }).id : undefined;
}

/** The marker `patched(SUMMARY_MEMO_PATCH)` records when it first answers true. */
const isPatchMarker = (event: temporal.api.history.v1.IHistoryEvent) =>
  patchMarkerId(event) === SUMMARY_MEMO_PATCH;

/**
 * The history without what `patched(id)` recorded (its marker, and the TemporalChangeVersion search
 * attribute the SDK upserts with it), event ids renumbered so the history stays well formed.
 */
function withoutPatchMarker(history: History, id: string): History {
  const json = JSON.parse(JSON.stringify(history)) as { events: Array<Record<string, unknown>> };
  // Other patches (call-ids) record their own marker and upsert: only this patch's are removed.
  const recordedByPatch = (event: temporal.api.history.v1.IHistoryEvent) => {
    const fields = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    const versions = fields?.TemporalChangeVersion?.data;
    return patchMarkerId(event) === id || (versions != null && Buffer.from(versions).toString().includes(id));
  };
  const removed = json.events
    .filter((event) => recordedByPatch(eventOf(event)))
    .map((e) => Number(e.eventId));
  if (removed.length !== 2) throw new Error(`expected a patch marker and its search attribute: ${removed}`);
  json.events = json.events.filter((event) => !removed.includes(Number(event.eventId)));
  const renumber = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    for (const [key, field] of Object.entries(value)) {
      if (/(^e|E)ventId$/.test(key) && typeof field === 'string') {
        const id = Number(field);
        (value as Record<string, unknown>)[key] = String(id - removed.filter((r) => r < id).length);
      } else renumber(field);
    }
  };
  json.events.forEach(renumber);
  return temporal.api.history.v1.History.fromObject(json);
}

const eventOf = (json: Record<string, unknown>) => temporal.api.history.v1.HistoryEvent.fromObject(json);

describe('a patched change to the session workflow: the summary memo written at close', () => {
  let mock: LLMock;
  let server: DevServer;
  let client: Client;
  let history: History;
  let summary: unknown;

  beforeAll(async () => {
    mock = await startMock();
    answerWithLatency(mock, 0);
    ({ server } = await startDurableServer());
    client = await connectTo(server.address);
    quietRuntime();
    // Recorded on the dev server by a worker running the jest run's bundle: the code under test.
    const connection = await NativeConnection.connect({ address: server.address });
    const worker = await createCouncilWorker({
      connection,
      taskQueue: 'durability-patch',
      activities: createLlmActivities({
        openai: new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'test', maxRetries: 0 }),
      }),
      workflowBundle: { code: readFileSync(testEnvironment().bundlePath, 'utf8') },
      shutdownGraceTime: '1s',
    });
    await worker.runUntil(async () => {
      const session = await MultiParticipantSession.create(
        client,
        { strategy: 'broadcast', participants: [panelist('M1'), panelist('M2')] },
        { sessionId: 'durability-patched', taskQueue: 'durability-patch' },
      );
      await session.sendMessage('user', 'One question');
      await session.close();
      const handle = client.workflow.getHandle(session.sessionId);
      history = await handle.fetchHistory();
      summary = (await handle.describe()).memo?.[SESSION_SUMMARY_MEMO_KEY];
    });
    // The kept history is not refreshed: recorded before the baseline, it is the one with the patch's
    // own marker, which runs in flight at the baseline's deploy still have.
    await connection.close();
  });
  afterAll(async () => {
    await client?.connection.close();
    await server?.stop();
    await mock?.stop();
  });

  it('writes the totals of a closed session into its memo, readable without a worker', () => {
    expect(summary).toEqual({
      rounds: 1,
      runs: 1,
      participants: ['M1', 'M2'],
      usage: { inputTokens: 20, outputTokens: 10, totalTokens: 30 },
    });
    // A new run records the baseline's marker alone, which stands for this patch (workflows/shared/patches.ts).
    const events = history.events ?? [];
    expect(events.flatMap((event) => patchMarkerId(event) ?? [])).toEqual([BASELINE_PATCH]);
    expect(events.filter((event) => event.workflowPropertiesModifiedEventAttributes)).toHaveLength(1);
  });

  it('replays a history recorded with the patch, fresh and kept', async () => {
    expect(await replay(history)).toBeUndefined();
    expect(existsSync(PATCHED_FIXTURE)).toBe(true);
    const kept = loadHistory(PATCHED_FIXTURE);
    expect((kept.events ?? []).filter(isPatchMarker)).toHaveLength(1);
    expect(await replay(kept)).toBeUndefined();
  });

  it('replays a history recorded before the patch: patched() is false there, no memo command', async () => {
    const old = loadHistory(PRE_PATCH_FIXTURE);
    expect((old.events ?? []).some((event) => event.markerRecordedEventAttributes)).toBe(false);
    expect(await replay(old)).toBeUndefined();
  });

  it('needs the patch: without its marker the kept history takes the old path and fails to replay', async () => {
    // With the marker gone, patched() answers false, as in a history from before the change: the
    // code leaves out the memo command the history holds. An unguarded change fails on every old
    // history the same way, the other way round (a command the history does not have).
    const error = await replay(withoutPatchMarker(loadHistory(PATCHED_FIXTURE), SUMMARY_MEMO_PATCH));
    expect(String(error)).toMatch(/nondetermin/i);
    expect(String(error)).toMatch(/WorkflowPropertiesModified/);
  });

  it('needs the baseline: without its marker the new history asks each patch, and fails to replay', async () => {
    // Every patch then answers false, as in a history from before them all: the first one the run
    // meets already issues other commands than the history holds.
    const error = await replay(withoutPatchMarker(history, BASELINE_PATCH));
    expect(String(error)).toMatch(/nondetermin/i);
  });
});
