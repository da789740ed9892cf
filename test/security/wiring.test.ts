import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowBundle } from '@temporalio/worker';
import { NativeConnection } from '@temporalio/worker';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { createLlmActivities } from '../../activities';
import { bundleCachePath, bundleOptionsFromEnv, cachedWorkflowBundle } from '../../client/runtime/bundle';
import { councilDataConverter } from '../../storage/converter';
import { AesGcmPayloadCodec } from '../../storage/encryption';
import { ENCRYPTED_FAILURE_CONVERTER_PATH } from '../../storage/failureConverter';
import { createCouncilWorker } from '../../workers/worker';
import { cliEnv, runCli, stopStartedClis } from '../cli/cli';
import { testEnvironment, uniqueTaskQueue, quietRuntime } from '../helpers/testEnv';
import { blobFiles, secretsSeen, sqliteFiles } from './atRest';
import { keyringOf, newKey } from './support';

// CLI processes starting the embedded server, and a worker bundling its workflows: slow on 2 cores.
jest.setTimeout(300_000);

/** Every simulated answer starts with this (client/cli/simulated.ts); prompts and names never do. */
const SIMULATED_ANSWER = '(simulated) ';

describe('encryption is wired into the CLI, the worker and workflow bundles', () => {
  afterAll(stopStartedClis);

  /** `council run --simulate` on a fresh embedded server; what it printed and what it left at rest. */
  async function simulatedRun(extra: Record<string, string>) {
    const env = cliEnv(extra);
    const topic = `TOPIC-${randomUUID().slice(0, 8)}`;
    const run = await runCli(['run', topic, '--simulate'], env);
    const dataDir = env.COUNCIL_DATA_DIR!;
    const blobs = path.join(dataDir, 'blobs');
    const stored = [
      ...(await sqliteFiles(path.join(dataDir, 'temporal.sqlite'))),
      ...(existsSync(blobs) ? await blobFiles(blobs) : []),
    ];
    return { run, stored, topic };
  }

  it('council run with COUNCIL_ENCRYPTION_KEYS prints answers in clear and stores none', async () => {
    const key = randomBytes(32).toString('base64');
    const encrypted = await simulatedRun({ COUNCIL_ENCRYPTION_KEYS: `k1:${key}` });
    expect(encrypted.run).toMatchObject({ code: 0 });
    expect(encrypted.run.stdout).toContain(SIMULATED_ANSWER);
    expect(encrypted.stored.length).toBeGreaterThan(0);
    const secrets = { answer: SIMULATED_ANSWER, topic: encrypted.topic };
    expect(secretsSeen(encrypted.stored, secrets)).toEqual([]);

    // The same grep finds both without keys: the check above can see them.
    const plain = await simulatedRun({});
    expect(plain.run).toMatchObject({ code: 0 });
    expect(secretsSeen(plain.stored, { answer: SIMULATED_ANSWER, topic: plain.topic })).toEqual([
      'answer',
      'topic',
    ]);
  });

  /**
   * Starts a session whose config the workflow rejects (two participants of one name) on a worker
   * with an encrypting converter: the client reads the failure, the SQLite file must not.
   */
  async function rejectedSession(workflowBundle?: WorkflowBundle) {
    quietRuntime();
    const env = testEnvironment();
    const codec = new AesGcmPayloadCodec(keyringOf('k1', { k1: newKey() }));
    const dataConverter = councilDataConverter(undefined, codec);
    const taskQueue = uniqueTaskQueue('wiring');
    const workerConnection = await NativeConnection.connect({ address: env.address });
    const worker = await createCouncilWorker({
      connection: workerConnection,
      namespace: env.encryptedNamespace,
      taskQueue,
      activities: createLlmActivities({}),
      shutdownGraceTime: '1s',
      dataConverter,
      ...(workflowBundle ? { workflowBundle } : {}),
    });
    const run = worker.run();
    const connection = await Connection.connect({ address: env.address });
    try {
      const client = new Client({ connection, namespace: env.encryptedNamespace, dataConverter });
      const name = `DUP-${randomUUID().slice(0, 8)}`;
      const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
      const participant = { name, role: 'panelist', model } as const;
      // Started past the library, which refuses a repeated name itself: the workflow's own check fails it.
      const handle = await client.workflow.start('sessionWorkflow', {
        workflowId: `wiring-${randomUUID()}`,
        taskQueue,
        args: [{ config: { strategy: 'broadcast', participants: [participant, participant] } }],
      });
      const failure = await handle.result().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      const message = `a participant named "${name}" is already in the session`;
      expect(String((failure as WorkflowFailedError).cause?.message)).toContain(message);
      const stored = await sqliteFiles(path.join(env.dir, 'temporal.sqlite'));
      expect(secretsSeen(stored, { message, name })).toEqual([]);
    } finally {
      worker.shutdown();
      await run;
      await workerConnection.close();
      await connection.close();
    }
  }

  it('a failure raised in workflow code is encrypted at rest; the client reads it in clear', async () => {
    // No bundle given: the worker bundles its workflows with the converter's failure converter.
    await rejectedSession();
  });

  it("the CLI's cached bundle has the encrypted failure converter when keys are set", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'council-wiring-'));
    try {
      const options = bundleOptionsFromEnv({ COUNCIL_ENCRYPTION_KEYS: `k1:${newKey().toString('base64')}` });
      expect(options).toEqual({ failureConverterPath: ENCRYPTED_FAILURE_CONVERTER_PATH });
      // A bundle of its own: the cached plain one must not be reused with encryption on.
      expect(bundleCachePath(dataDir, options)).not.toBe(bundleCachePath(dataDir));
      await rejectedSession(await cachedWorkflowBundle(dataDir, options));
      expect(existsSync(bundleCachePath(dataDir, options))).toBe(true);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
