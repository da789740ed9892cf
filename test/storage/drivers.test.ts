import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { DirStorageDriver } from '../../storage/fsDriver';
import { openBlobStore } from '../../storage/converter';
import { startS3Server, type S3TestServer } from '../helpers/moto';

const context = {};
const payload = (text: string): Payload => defaultPayloadConverter.toPayload(text) as Payload;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

describe('directory store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'council-blobs-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('round-trips payloads under content-derived keys and never writes the same content twice', async () => {
    const driver = new DirStorageDriver(dir);
    const big = payload('x'.repeat(300_000));
    const [first, second, other] = await driver.store(context, [big, big, payload('other')]);
    expect(first?.claimData.key).toMatch(/^sha256\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
    expect(second?.claimData.key).toBe(first?.claimData.key);
    expect(other?.claimData.key).not.toBe(first?.claimData.key);
    const files = await filesUnder(dir);
    expect(files).toHaveLength(2);
    expect(files.some((file) => file.endsWith('.tmp'))).toBe(false);

    const written = await stat(driver.pathOf(first!.claimData.key!));
    // Answers in clear: readable by the user alone, whatever the umask.
    expect(written.mode & 0o777).toBe(0o600);
    const [again] = await driver.store(context, [big]);
    expect(again?.claimData.key).toBe(first?.claimData.key);
    expect((await stat(driver.pathOf(first!.claimData.key!))).ino).toBe(written.ino);
    expect(await filesUnder(dir)).toHaveLength(2);

    const [back] = await driver.retrieve(context, [first!]);
    expect(defaultPayloadConverter.fromPayload(back!)).toBe('x'.repeat(300_000));
  });

  it('names the key and the store when a blob is missing', async () => {
    const driver = new DirStorageDriver(dir);
    const [claim] = await driver.store(context, [payload('gone soon')]);
    await rm(driver.pathOf(claim!.claimData.key!));
    await expect(driver.retrieve(context, [claim!])).rejects.toThrow(
      `blob ${claim!.claimData.key} is unavailable in the directory store ${dir}: no such file`,
    );
  });

  it('fails a write at once, naming the store, when its directory cannot be made', async () => {
    // Node's recursive mkdir never returns under /proc: the worker's store call would hang with it.
    const driver = new DirStorageDriver('/proc/council-nope/blobs');
    await expect(driver.store(context, [payload('nowhere to go')])).rejects.toThrow(
      /cannot write blob sha256\/[0-9a-f]{2}\/[0-9a-f]{64} to .*\/proc\/council-nope\/blobs.*: ENOENT/,
    );
  }, 10_000);
});

describe('S3 store on a real S3-compatible server (moto)', () => {
  let server: S3TestServer;
  beforeAll(async () => {
    server = await startS3Server();
  });
  afterAll(async () => server?.stop());

  it('round-trips through the SDK S3 driver and names bucket and key when an object is missing', async () => {
    const store = openBlobStore({ store: 's3', thresholdBytes: 1024, ...server.location });
    if (store?.kind !== 's3') throw new Error('expected an S3 store');
    try {
      const big = payload('y'.repeat(400_000));
      const [claim] = await store.driver.store(context, [big]);
      const key = claim!.claimData.key!;
      expect(claim!.claimData.bucket).toBe(server.location.bucket);
      const listed = await store.client.listPage('');
      expect(listed.objects.map((object) => object.key)).toEqual([key]);
      const [back] = await store.driver.retrieve(context, [claim!]);
      expect(defaultPayloadConverter.fromPayload(back!)).toBe('y'.repeat(400_000));

      await store.client.deleteObject(key);
      await expect(store.driver.retrieve(context, [claim!])).rejects.toThrow(
        `S3StorageDriver retrieve failed [bucket=${server.location.bucket}, key=${key}, endpoint=${server.location.endpoint}`,
      );
    } finally {
      store.client.close();
    }
  });

  // The SDK's driver reads whatever bucket and key a reference names, with the store's credentials:
  // a workflow input or a codec-server request could read any object those credentials reach.
  it('reads no object of another bucket, nor one of its own bucket it did not write', async () => {
    const store = openBlobStore({ store: 's3', thresholdBytes: 1024, ...server.location });
    if (store?.kind !== 's3') throw new Error('expected an S3 store');
    try {
      const bytes = temporal.api.common.v1.Payload.encode(payload('another deployment')).finish();
      const hashValue = createHash('sha256').update(bytes).digest('hex');
      const claimOf = (bucket: string, key: string) =>
        ({ claimData: { bucket, key, hashAlgorithm: 'sha256', hashValue } }) as unknown as Parameters<
          typeof store.driver.retrieve
        >[1][number];
      const elsewhere = { bucket: 'payroll-secrets', key: `v0/d/sha256/${hashValue}` };
      const stray = { bucket: server.location.bucket, key: 'hr/salaries.csv' };
      await store.client.s3.send(new CreateBucketCommand({ Bucket: elsewhere.bucket }));
      for (const { bucket, key } of [elsewhere, stray]) {
        await store.client.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
        await expect(store.driver.retrieve(context, [claimOf(bucket, key)])).rejects.toMatchObject({
          cause: { message: expect.stringContaining('refused: the reference names no blob of this store') },
        });
      }
    } finally {
      store.client.close();
    }
  });
});
