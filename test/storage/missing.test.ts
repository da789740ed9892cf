import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LLMock } from '@copilotkit/aimock';
import { temporal } from '@temporalio/proto';
import { createLlmActivities } from '../../activities';
import { MultiParticipantSession } from '../../client/api/session';
import { sessionViewQuery } from '../../common/sessionApi';
import { councilDataConverter, openBlobStore } from '../../storage/converter';
import { referencesIn } from '../../storage/references';
import { mockClients, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { waitFor } from '../helpers/wait';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const EventType = temporal.api.enums.v1.EventType;

describe('a missing blob is a clear error naming the key and the store, never a silent hang', () => {
  let mock: LLMock;
  let dir: string;
  const harnesses: TemporalTestHarness[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'council-missing-'));
    mock = await startMockLlm();
    mock.on({ predicate: () => true }, { content: `huge ${'q'.repeat(400_000)}` });
  });
  afterAll(async () => {
    for (const harness of harnesses) await harness.close().catch(() => undefined);
    await mock?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('a client reading a result from another store gets an error naming the key and its store', async () => {
    const workerStore = openBlobStore({ store: 'dir', dir, thresholdBytes: 256 * 1024 });
    const otherDir = await mkdtemp(path.join(os.tmpdir(), 'council-other-'));
    const worker = await startHarness('missing-client', createLlmActivities(mockClients(mock)), {
      dataConverter: councilDataConverter(workerStore),
    });
    harnesses.push(worker);
    // Same server and queue, but this client reads blobs from an empty directory.
    const reader = await startHarness('missing-client', createLlmActivities(mockClients(mock)), {
      dataConverter: councilDataConverter(
        openBlobStore({ store: 'dir', dir: otherDir, thresholdBytes: 256 * 1024 }),
      ),
      taskQueue: `${worker.taskQueue}-idle`,
    });
    harnesses.push(reader);
    try {
      const session = await MultiParticipantSession.create(
        reader.client,
        { strategy: 'broadcast' },
        { taskQueue: worker.taskQueue },
      );
      await session.addParticipant('Solo', model, 'panelist');
      const error = await session.sendMessage('user', 'Go').then(
        () => undefined,
        (caught: Error) => caught,
      );
      expect(error?.message).toMatch(
        new RegExp(
          `blob sha256/[0-9a-f]{2}/[0-9a-f]{64} is unavailable in the directory store ${otherDir}: no such file`,
        ),
      );
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('a worker replaying a history whose blob is gone fails the task with key and store; a query says so', async () => {
    const dataConverter = councilDataConverter(
      openBlobStore({ store: 'dir', dir, thresholdBytes: 256 * 1024 }),
    );
    const activities = createLlmActivities(mockClients(mock));
    const first = await startHarness('missing', activities, { dataConverter });
    harnesses.push(first);
    const session = await MultiParticipantSession.create(
      first.client,
      { strategy: 'broadcast' },
      { taskQueue: first.taskQueue },
    );
    await session.addParticipant('Solo', model, 'panelist');
    await session.sendMessage('user', 'Go');
    const handle = first.client.workflow.getHandle(session.sessionId);
    const keys = referencesIn(await handle.fetchHistory()).map((r) => r.claimData.key!);
    await first.close();
    harnesses.pop();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of new Set(keys)) await rm(path.join(dir, key));

    // A fresh worker has no cached state: it must replay the history, and read the blobs.
    const second = await startHarness('missing', activities, { dataConverter, taskQueue: first.taskQueue });
    harnesses.push(second);
    const secondHandle = second.client.workflow.getHandle(session.sessionId);
    const queried = await secondHandle.query(sessionViewQuery).then(
      () => 'answered',
      (error: Error) => error.message,
    );
    const named = new RegExp(`blob (${keys.join('|')}) is unavailable in the directory store ${dir}`);
    expect(queried).toMatch(named);

    // Any new event makes a workflow task; it fails, and the failure in the history says why.
    await secondHandle.signal('blob-test-wake-up');
    let failure = '';
    await waitFor('a failed workflow task in the history', async () => {
      const { events } = await secondHandle.fetchHistory();
      const failed = events?.find((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
      failure = failed?.workflowTaskFailedEventAttributes?.failure?.message ?? '';
      return failure !== '';
    });
    expect(failure).toMatch(named);
    await secondHandle.terminate('the test deleted its blobs');
  });
});
