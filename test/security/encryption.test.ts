import { REDACTED } from '../../activities/redact';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LLMock } from '@copilotkit/aimock';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { createLlmActivities } from '../../activities';
import { CouncilUserError } from '../../common/userError';
import { MultiParticipantSession } from '../../client/api/session';
import type { ModelSpec } from '../../common/llm';
import type { ParticipantResponse } from '../../common/session';
import { councilDataConverter, openBlobStore } from '../../storage/converter';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, UnknownEncryptionKeyError } from '../../storage/encryption';
import { gc } from '../../storage/gc';
import { referencesIn } from '../../storage/references';
import { mockClients, speakerOf } from '../helpers/mockLlm';
import { startHarness, testEnvironment } from '../helpers/testEnv';
import { blobFiles, exportedHistory, secretsSeen, sightings, sqliteFiles } from './atRest';
import { keyringOf, newKey } from './support';

const KEY_ENV = 'COUNCIL_TEST_PARTICIPANT_KEY';
const FILLER = 'lorem ipsum dolor sit amet ';
const THRESHOLD = 256 * 1024;

/**
 * Known strings a leak would show: a model's answer, the user's prompt, the participant's API key,
 * and a provider's error message (Temporal keeps failure messages outside payloads).
 */
interface Secrets extends Record<string, string> {
  answer: string;
  prompt: string;
  key: string;
  failure: string;
}
const secretsFor = (label: string): Secrets => {
  const id = randomUUID().slice(0, 8);
  return {
    answer: `ANSWER-${label}-${id}`,
    prompt: `PROMPT-${label}-${id}`,
    key: `sk-fake-${label}-${id}`,
    failure: `FAILURE-${label}-${id}`,
  };
};

interface SessionRun {
  sessionId: string;
  blobDir: string;
  responses: ParticipantResponse[];
  history: temporal.api.history.v1.IHistory;
}

describe('payloads encrypted at rest (AES-256-GCM codec before the blob store)', () => {
  let mock: LLMock;
  let current: Secrets;
  const scenarios = {
    encrypted: secretsFor('encrypted'),
    plain: secretsFor('plain'),
    rotation: secretsFor('rotation'),
  };
  const dirs: string[] = [];
  const dbFile = path.join(testEnvironment().dir, 'temporal.sqlite');

  beforeAll(async () => {
    // The mock accepts only the scenarios' keys, so an answered call proves the worker sent the key
    // it read through apiKeyEnv (the journal redacts the header).
    mock = new LLMock({
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      auth: { apiKeys: Object.values(scenarios).map((s) => s.key) },
    });
    await mock.start();
    // Ann's answer is large enough to be offloaded to the blob store; Ann and Bob echo the key they
    // were called with, as a model might (the "key echoed back in a normal answer"); Cy's call
    // is refused with a 400 (not retried) whose message the activity failure carries.
    mock.on(
      { predicate: () => true },
      (request) => {
        const speaker = speakerOf({ body: request }) ?? '?';
        if (speaker === 'Cy') {
          return {
            error: { message: `${current.failure} rejected`, type: 'invalid_request_error' },
            status: 400,
          };
        }
        const head = `${speaker}: ${current.answer} (my key is ${current.key})`;
        return { content: speaker === 'Ann' ? `${head} ${FILLER.repeat(12_000)}` : head };
      },
      { chunkSize: 100_000 },
    );
  });
  afterAll(async () => {
    await mock?.stop();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  /** One broadcast round of Ann, Bob and Cy, keyed through apiKeyEnv, then the session is closed. */
  async function runSession(secrets: Secrets, converterFor: (blobDir: string) => DataConverter) {
    current = secrets;
    const blobDir = await mkdtemp(path.join(os.tmpdir(), 'council-crypto-'));
    dirs.push(blobDir);
    // The worker's policy lets this key go to the mock, and nowhere else.
    const policy = JSON.stringify({ keys: { [KEY_ENV]: [mock.url] } });
    const env = { [KEY_ENV]: secrets.key, COUNCIL_PROVIDER_POLICY: policy };
    const activities = createLlmActivities(mockClients(mock), { env });
    const harness = await startHarness('crypto', activities, {
      dataConverter: converterFor(blobDir),
      namespace: testEnvironment().encryptedNamespace,
    });
    try {
      const model: ModelSpec = {
        provider: 'openai-compatible',
        model: 'gpt-4o-mini',
        baseURL: `${mock.url}/v1`,
        apiKeyEnv: KEY_ENV,
      };
      const session = await MultiParticipantSession.create(
        harness.client,
        { strategy: 'broadcast', maxTokens: 2_000_000 },
        { taskQueue: harness.taskQueue },
      );
      for (const name of ['Ann', 'Bob', 'Cy']) await session.addParticipant(name, model, 'panelist');
      const responses = await session.sendMessage('user', `${secrets.prompt}: what do you think?`);
      await session.close();
      const history = await harness.client.workflow.getHandle(session.sessionId).fetchHistory();
      return { sessionId: session.sessionId, blobDir, responses, history } satisfies SessionRun;
    } finally {
      await harness.close();
    }
  }

  /** Everything a run left at rest: the server's SQLite, the blob files, the exported history. */
  async function atRest(run: SessionRun) {
    return {
      sqlite: await sqliteFiles(dbFile),
      blobs: await blobFiles(run.blobDir),
      exported: exportedHistory(historyToJSON(run.history), `history of ${run.sessionId}`),
    };
  }

  function expectRoundInClear(run: SessionRun, secrets: Secrets) {
    expect(run.responses.map((r) => [r.participantName, r.status])).toEqual([
      ['Ann', 'ok'],
      ['Bob', 'ok'],
      ['Cy', 'failed'],
    ]);
    for (const r of run.responses.slice(0, 2)) {
      // The worker scrubs the key it used from the answer before it is stored (docs/security.md).
      expect(r.content).toContain(`${secrets.answer} (my key is ${REDACTED})`);
    }
    expect(run.responses[2]!.error?.message).toContain(`${secrets.failure} rejected`);
    // Ann's answer left the history for the blob store.
    expect(referencesIn(run.history).length).toBeGreaterThanOrEqual(1);
  }

  it('the mock refuses a call without one of the known keys', async () => {
    const response = await fetch(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-wrong', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(401);
  });

  it('with encryption on, the SQLite file, the blobs and the exported history hold none of them', async () => {
    const secrets = scenarios.encrypted;
    const codec = new AesGcmPayloadCodec(keyringOf('k1', { k1: newKey() }));
    const run = await runSession(secrets, (dir) =>
      councilDataConverter(openBlobStore({ store: 'dir', dir, thresholdBytes: THRESHOLD }), codec),
    );
    expectRoundInClear(run, secrets);
    const stored = await atRest(run);
    expect(stored.blobs.length).toBeGreaterThanOrEqual(1);
    expect(stored.sqlite.length).toBeGreaterThanOrEqual(1);
    expect(historyToJSON(run.history)).toContain(Buffer.from(ENCRYPTED_ENCODING).toString('base64'));
    expect(sightings([...stored.sqlite, ...stored.blobs, ...stored.exported], secrets)).toEqual([]);
  });

  it('without encryption the same search finds answer, prompt and failure (the search can fail); the key is redacted either way', async () => {
    const secrets = scenarios.plain;
    const run = await runSession(secrets, (dir) =>
      councilDataConverter(openBlobStore({ store: 'dir', dir, thresholdBytes: THRESHOLD })),
    );
    expectRoundInClear(run, secrets);
    const stored = await atRest(run);
    expect(secretsSeen(stored.sqlite, secrets)).toEqual(['answer', 'failure', 'prompt']);
    expect(secretsSeen(stored.exported, secrets)).toEqual(['answer', 'failure', 'prompt']);
    // Blobs hold the large answer (its echoed key redacted); the prompt went inline.
    expect(secretsSeen(stored.blobs, secrets)).toEqual(expect.arrayContaining(['answer']));
    expect(secretsSeen(stored.blobs, secrets)).not.toContain('key');
  });

  it('rotation: a k1 history reads with k2 current and k1 listed; without k1 it fails naming k1', async () => {
    const k1 = newKey();
    const k2 = newKey();
    const secrets = scenarios.rotation;
    const converter = (dir: string, codec: AesGcmPayloadCodec) =>
      councilDataConverter(openBlobStore({ store: 'dir', dir, thresholdBytes: THRESHOLD }), codec);
    const run = await runSession(secrets, (dir) =>
      converter(dir, new AesGcmPayloadCodec(keyringOf('k1', { k1 }))),
    );
    expectRoundInClear(run, secrets);

    const rotated = converter(run.blobDir, new AesGcmPayloadCodec(keyringOf('k2', { k1, k2 })));
    const k1Removed = converter(run.blobDir, new AesGcmPayloadCodec(keyringOf('k2', { k2 })));
    const workflowBundle = { code: readFileSync(testEnvironment().bundlePath, 'utf8') };
    // Replay decodes every payload of the history, the offloaded answer included, and rebuilds state.
    await expect(
      Worker.runReplayHistory({ workflowBundle, dataConverter: rotated }, run.history, run.sessionId),
    ).resolves.toBeUndefined();
    await expect(
      Worker.runReplayHistory({ workflowBundle, dataConverter: k1Removed }, run.history, run.sessionId),
      // The task failure's message is itself encrypted ("Encoded failure"); the client below shows it.
    ).rejects.toThrow(/Replay failed due workflow task failure/);

    const env = testEnvironment();
    const connection = await Connection.connect({ address: env.address });
    try {
      const clientWith = (dataConverter: DataConverter) =>
        new Client({ connection, namespace: env.encryptedNamespace, dataConverter });
      const view = await clientWith(rotated).workflow.getHandle(run.sessionId).result();
      expect(view.participants.map((p: { spec: { name: string } }) => p.spec.name)).toEqual([
        'Ann',
        'Bob',
        'Cy',
      ]);
      const failed = clientWith(k1Removed).workflow.getHandle(run.sessionId).result();
      await expect(failed).rejects.toThrow(UnknownEncryptionKeyError);
      await expect(failed).rejects.toThrow(/list "k1" again in COUNCIL_ENCRYPTION_KEYS/);
    } finally {
      await connection.close();
    }
  });
  it("a client without the keys that lists the namespace gets one clear error, not the SDK's", async () => {
    const env = testEnvironment();
    const connection = await Connection.connect({ address: env.address });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'council-crypto-gc-'));
    dirs.push(dir);
    try {
      const keyless = new Client({ connection, namespace: env.encryptedNamespace });
      const store = openBlobStore({ store: 'dir', dir, thresholdBytes: THRESHOLD })!;
      const listing = gc({
        client: keyless,
        namespace: env.encryptedNamespace,
        store,
        olderThanMs: 3_600_000,
      });
      await expect(listing).rejects.toThrow(/encrypted, and this client has no encryption keys/);
      await expect(listing).rejects.toBeInstanceOf(CouncilUserError);
    } finally {
      await connection.close();
    }
  });
});
