import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { temporalExecutable } from '../../client/runtime/temporalCli';
import { MultiParticipantSession } from '../../client/api/session';
import { startCodecServer, type CodecServer } from '../../storage/codecServer';
import { councilDataConverter, openBlobStore, type BlobStore } from '../../storage/converter';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING } from '../../storage/encryption';
import { referencesIn } from '../../storage/references';
import { cliEnv, runCli, startCli, stopStartedClis, waitFor } from '../cli/cli';
import { mockClients, startMockLlm, speakerOf } from '../helpers/mockLlm';
import { startHarness, testEnvironment, type TemporalTestHarness } from '../helpers/testEnv';
import { keyringOf, newKey } from './support';
import { b64, payloadsIn, wire } from '../helpers/codecWire';

// The CLI case starts `council codec-server` twice: slow on a busy 2-core machine.
jest.setTimeout(180_000);

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const MARKER = 'CODEC-AUTH-MARKER';
const TOKEN = 'test-codec-token-0123456789';
const UI_ORIGIN = 'http://localhost:8233';

type WireReply = { payloads: Array<{ metadata: Record<string, string>; data: string }> };
const text = (value: string | undefined) => Buffer.from(value ?? '', 'base64').toString();

describe('codec server with encryption: token required, payloads decrypted', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;
  let dir: string;
  let store: BlobStore;
  let codec: AesGcmPayloadCodec;
  let server: CodecServer;
  let sessionId: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'council-codec-auth-'));
    store = openBlobStore({ store: 'dir', dir, thresholdBytes: 256 * 1024 })!;
    codec = new AesGcmPayloadCodec(keyringOf('k1', { k1: newKey() }));
    mock = await startMockLlm();
    // Big's answer is offloaded to a blob (encrypted first); Small's stays inline, encrypted.
    mock.on({ predicate: () => true }, (request) => {
      const speaker = speakerOf({ body: request });
      return { content: `${MARKER} ${speaker === 'Big' ? 'many words '.repeat(30_000) : 'short'}` };
    });
    harness = await startHarness('codec-auth', createLlmActivities(mockClients(mock)), {
      dataConverter: councilDataConverter(store, codec),
      namespace: testEnvironment().encryptedNamespace,
    });
    server = await startCodecServer({ store, codec, token: TOKEN, uiOrigin: UI_ORIGIN });
    const session = await MultiParticipantSession.create(
      harness.client,
      { strategy: 'broadcast', maxTokens: 2_000_000 },
      { taskQueue: harness.taskQueue },
    );
    await session.addParticipant('Big', model, 'panelist');
    await session.addParticipant('Small', model, 'panelist');
    await session.sendMessage('user', 'Go');
    sessionId = session.sessionId;
  });
  afterAll(async () => {
    await stopStartedClis();
    await server?.close();
    await harness?.close();
    await mock?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function post(route: string, body: unknown, headers: Record<string, string> = {}) {
    return fetch(`${server.url}${route}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }
  const bearer = { Authorization: `Bearer ${TOKEN}` };

  it('answers 401 without the right bearer token, and decrypts with it', async () => {
    const history = await harness.client.workflow.getHandle(sessionId).fetchHistory();
    const payloads = payloadsIn(history);
    expect(payloads.some((p) => referencesIn(p).length === 1)).toBe(true);
    // Nothing in the history reads in clear, offloaded or not.
    expect(payloads.some((p) => Buffer.from(p.data ?? []).includes(MARKER))).toBe(false);
    const body = { payloads: payloads.map(wire) };

    const refusals: Array<Record<string, string>> = [
      {},
      { Authorization: 'Bearer wrong' },
      { Authorization: TOKEN },
      { Authorization: `Bearer ${TOKEN}x` },
    ];
    for (const headers of refusals) {
      const refused = await post('/decode', body, headers);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer');
      expect(await refused.text()).not.toContain(MARKER);
    }

    const decoded = await post('/decode', body, bearer);
    expect(decoded.status).toBe(200);
    const texts = ((await decoded.json()) as WireReply).payloads.map((p) => text(p.data));
    expect(texts.filter((t) => t.includes(`${MARKER} short`)).length).toBeGreaterThan(0);
    expect(texts.filter((t) => t.includes(`${MARKER} many words`)).length).toBeGreaterThan(0);
  });

  it('/encode encrypts with the current key', async () => {
    const plain = { metadata: { encoding: b64(Buffer.from('json/plain')) }, data: b64(Buffer.from('"hi"')) };
    expect((await post('/encode', { payloads: [plain] })).status).toBe(401);
    const encoded = (await (await post('/encode', { payloads: [plain] }, bearer)).json()) as WireReply;
    expect(text(encoded.payloads[0]!.metadata.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded.payloads[0]!.data)).not.toContain('hi');
    const decoded = (await (await post('/decode', encoded, bearer)).json()) as WireReply;
    expect(decoded.payloads).toEqual([plain]);
  });

  it('lets the UI origin preflight without a token (browsers send none), and no other origin', async () => {
    const preflight = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: UI_ORIGIN },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    const other = await post('/decode', { payloads: [] }, { Origin: 'http://evil.example', ...bearer });
    expect(other.status).toBe(403);
  });

  it('refuses to start with encryption on and no token', async () => {
    await expect(startCodecServer({ store, codec, uiOrigin: UI_ORIGIN })).rejects.toThrow(
      'the codec server decrypts payloads: it needs a token',
    );
  });

  // A store's blobs were served without a token on any address asked for (`--host 0.0.0.0`): to
  // everyone on the network who holds a reference.
  it('refuses to listen beyond this machine without a token', async () => {
    await expect(startCodecServer({ store, host: '0.0.0.0', uiOrigin: UI_ORIGIN })).rejects.toThrow(
      'the codec server would listen on 0.0.0.0, beyond this machine, with no token',
    );
    const local = await startCodecServer({ store, host: 'localhost', uiOrigin: UI_ORIGIN });
    await local.close();
  });

  it('serves `temporal workflow show --codec-endpoint --codec-auth`', async () => {
    const { address, encryptedNamespace: namespace } = testEnvironment();
    const show = async (extra: string[]) => {
      const args = ['workflow', 'show', '--workflow-id', sessionId, '--address', address];
      const { stdout } = await promisify(execFile)(
        temporalExecutable(),
        [...args, '--namespace', namespace, '--output', 'json', ...extra],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      const texts = payloadsIn(JSON.parse(stdout)).map((p) => text(String(p.data ?? '')));
      return texts.some((t) => t.includes(MARKER));
    };
    expect(await show([])).toBe(false);
    // Refused with 401, the temporal CLI retries until its timeout and shows nothing.
    await expect(show(['--codec-endpoint', server.url, '--command-timeout', '3s'])).rejects.toThrow(
      'context deadline exceeded',
    );
    expect(await show(['--codec-endpoint', server.url, '--codec-auth', `Bearer ${TOKEN}`])).toBe(true);
  });

  it('`council codec-server` needs --token or COUNCIL_CODEC_TOKEN when keys are set', async () => {
    const env = cliEnv({ COUNCIL_ENCRYPTION_KEYS: `k1:${newKey().toString('base64')}` });
    const refused = await runCli(['codec-server', '--port', '0'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the codec server decrypts payloads: it needs a token');
    expect(refused.stderr).toContain('COUNCIL_CODEC_TOKEN');

    const cli = startCli(['codec-server', '--port', '0'], { ...env, COUNCIL_CODEC_TOKEN: TOKEN });
    const listening = /codec server at (\S+),/;
    await waitFor('the codec server to listen', () => listening.test(cli.output.stdout), { process: cli });
    const url = listening.exec(cli.output.stdout)![1]!;
    expect(cli.output.stdout).not.toContain(TOKEN);
    const empty = JSON.stringify({ payloads: [] });
    expect((await fetch(`${url}/decode`, { method: 'POST', body: empty })).status).toBe(401);
    const ok = await fetch(`${url}/decode`, { method: 'POST', body: empty, headers: bearer });
    expect(await ok.json()).toEqual({ payloads: [] });
    cli.child.kill('SIGINT');
    expect((await cli.done).code).toBe(0);
  });
});
