import { mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LLMock } from '@copilotkit/aimock';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { createLlmActivities } from '../../activities';
import { MultiParticipantSession } from '../../client/api/session';
import { closeBlobStore, councilDataConverter, openBlobStore, type BlobStore } from '../../storage/converter';
import { gc } from '../../storage/gc';
import { referencesIn } from '../../storage/references';
import { mockClients, startMockLlm } from '../helpers/mockLlm';
import { startS3Server, type S3TestServer } from '../helpers/moto';
import { startHarness, testEnvironment, type TemporalTestHarness } from '../helpers/testEnv';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const DAY_MS = 24 * 3600 * 1000;

/** The blob keys a session of one round of `participant`'s big answer references, left open or closed. */
async function blobsOfARound(
  harness: TemporalTestHarness,
  participant: string,
  left: 'open' | 'closed',
): Promise<string[]> {
  const session = await MultiParticipantSession.create(
    harness.client,
    { strategy: 'broadcast' },
    { taskQueue: harness.taskQueue },
  );
  await session.addParticipant(participant, model, 'panelist');
  await session.sendMessage('user', 'Go');
  if (left === 'closed') await session.close();
  const history = await harness.client.workflow.getHandle(session.sessionId).fetchHistory();
  return [...new Set(referencesIn(history).map((r) => r.claimData.key!))];
}

describe('gc: old unreferenced blobs go, referenced ones stay', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;
  let dir: string;
  let store: BlobStore;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'council-gc-'));
    store = openBlobStore({ store: 'dir', dir, thresholdBytes: 256 * 1024 })!;
    mock = await startMockLlm();
    mock.on({ predicate: () => true }, { content: `big answer ${'z'.repeat(400_000)}` });
    harness = await startHarness('gc', createLlmActivities(mockClients(mock)), {
      dataConverter: councilDataConverter(store),
      namespace: testEnvironment().gcNamespace,
    });
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the blobs of an open session even when old, removes old orphans, keeps fresh orphans', async () => {
    const referenced = await blobsOfARound(harness, 'Solo', 'open');
    expect(referenced.length).toBeGreaterThan(0);

    const payload = (text: string) => defaultPayloadConverter.toPayload(text) as Payload;
    const [orphan, fresh] = await store.driver.store({}, [payload('old orphan'), payload('fresh orphan')]);
    const twoDaysAgo = new Date(Date.now() - 2 * DAY_MS);
    const pathOf = (key: string) => path.join(dir, key);
    for (const key of [...referenced, orphan!.claimData.key!])
      await utimes(pathOf(key), twoDaysAgo, twoDaysAgo);

    const dry = await gc({
      client: harness.client,
      namespace: testEnvironment().gcNamespace,
      store,
      olderThanMs: DAY_MS,
      dryRun: true,
    });
    expect(dry.removed).toEqual([orphan!.claimData.key]);
    await expect(stat(pathOf(orphan!.claimData.key!))).resolves.toBeDefined();

    const result = await gc({
      client: harness.client,
      namespace: testEnvironment().gcNamespace,
      store,
      olderThanMs: DAY_MS,
    });
    expect(result.removed).toEqual([orphan!.claimData.key]);
    expect(result.workflowsScanned).toBeGreaterThan(0);
    await expect(stat(pathOf(orphan!.claimData.key!))).rejects.toThrow('ENOENT');
    for (const key of [...referenced, fresh!.claimData.key!])
      await expect(stat(pathOf(key))).resolves.toBeDefined();
  });

  // With an age below the retention, gc removed the blobs of runs closed before it, whose histories
  // the server still kept: `council show` of such a run then failed on a missing blob.
  it('keeps the blobs of a closed run whose history the server still keeps, whatever the age', async () => {
    const referenced = await blobsOfARound(harness, 'Closed', 'closed');
    expect(referenced.length).toBeGreaterThan(0);

    // Two days on, with an age of an hour: the run closed long before the cutoff.
    const result = await gc({
      client: harness.client,
      namespace: testEnvironment().gcNamespace,
      store,
      olderThanMs: 3600_000,
      nowMs: Date.now() + 2 * DAY_MS,
      dryRun: true,
    });
    expect(result.removed.filter((key) => referenced.includes(key))).toEqual([]);
  });

  it("reads a run whose history pages pass gRPC's 4 MB message limit", async () => {
    // Three 1.5 MB signals, kept inline by a client without the store, to a run no worker serves.
    const plain = new Client({
      connection: harness.client.connection,
      namespace: testEnvironment().gcNamespace,
    });
    const handle = await plain.workflow.start('sessionWorkflow', {
      taskQueue: `gc-unserved-${process.pid}`,
      workflowId: `gc-big-history-${process.pid}-${Date.now()}`,
      args: [{ config: {} }],
    });
    try {
      for (const letter of 'abc') await handle.signal('unknownSignal', letter.repeat(1_500_000));
      const result = await gc({
        client: harness.client,
        namespace: testEnvironment().gcNamespace,
        store,
        olderThanMs: DAY_MS,
        dryRun: true,
      });
      expect(result.workflowsScanned).toBeGreaterThan(0);
    } finally {
      await handle.terminate('test over');
    }
  });

  it('defaults the age to the namespace retention', async () => {
    const result = await gc({
      client: harness.client,
      namespace: testEnvironment().gcNamespace,
      store,
      dryRun: true,
    });
    expect(result.olderThanMs).toBeGreaterThan(0);
    expect(result.removed).toEqual([]);
  });
});

describe('gc on the S3 store (moto)', () => {
  let mock: LLMock;
  let server: S3TestServer;
  let harness: TemporalTestHarness;
  let store: BlobStore;

  beforeAll(async () => {
    server = await startS3Server('council-gc');
    store = openBlobStore({ store: 's3', thresholdBytes: 256 * 1024, ...server.location })!;
    mock = await startMockLlm();
    mock.on({ predicate: () => true }, { content: `big answer ${'s'.repeat(400_000)}` });
    harness = await startHarness('gc-s3', createLlmActivities(mockClients(mock)), {
      dataConverter: councilDataConverter(store),
      namespace: testEnvironment().gcNamespace,
    });
  });
  afterAll(async () => {
    await harness?.close();
    closeBlobStore(store);
    await mock?.stop();
    await server?.stop();
  });

  it('removes an old orphan object and keeps the objects an open session references', async () => {
    if (store.kind !== 's3') throw new Error('expected the S3 store');
    const referenced = await blobsOfARound(harness, 'Solo', 'open');
    expect(referenced.length).toBeGreaterThan(0);
    const [orphan] = await store.driver.store({}, [defaultPayloadConverter.toPayload('orphan') as Payload]);

    // S3 sets LastModified itself: look two days ahead instead of ageing the objects.
    const result = await gc({
      client: harness.client,
      namespace: testEnvironment().gcNamespace,
      store,
      olderThanMs: DAY_MS,
      nowMs: Date.now() + 2 * DAY_MS,
    });
    expect(result.removed).toEqual([orphan!.claimData.key]);
    const left = (await store.client.listPage('v0/')).objects.map((object) => object.key);
    expect(left.sort()).toEqual(referenced.sort());
  });
});
