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
import { referencesIn } from '../../storage/references';
import { mockClients, startMockLlm } from '../helpers/mockLlm';
import { startHarness, testEnvironment, type TemporalTestHarness } from '../helpers/testEnv';
import { payloadsIn, wire } from '../helpers/codecWire';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const MARKER = 'CODEC-MARKER';
const ANSWER = `${MARKER} ${'readable words '.repeat(25_000)}`;
const UI_ORIGIN = 'http://localhost:8233';

describe('codec server: offloaded content readable over HTTP', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;
  let dir: string;
  let store: BlobStore;
  let codec: CodecServer;
  let sessionId: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'council-codec-'));
    store = openBlobStore({ store: 'dir', dir, thresholdBytes: 256 * 1024 })!;
    mock = await startMockLlm();
    mock.on({ predicate: () => true }, { content: ANSWER });
    harness = await startHarness('codec', createLlmActivities(mockClients(mock)), {
      dataConverter: councilDataConverter(store),
    });
    codec = await startCodecServer({ store, uiOrigin: UI_ORIGIN });
    const session = await MultiParticipantSession.create(
      harness.client,
      { strategy: 'broadcast' },
      { taskQueue: harness.taskQueue },
    );
    await session.addParticipant('Solo', model, 'panelist');
    await session.sendMessage('user', 'Go');
    sessionId = session.sessionId;
  });
  afterAll(async () => {
    await codec?.close();
    await harness?.close();
    await mock?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function post(route: string, body: unknown, headers: Record<string, string> = {}) {
    return fetch(`${codec.url}${route}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  it('decodes the references of a real history into the stored payloads', async () => {
    const history = await harness.client.workflow.getHandle(sessionId).fetchHistory();
    const references = payloadsIn(history).filter((p) => referencesIn(p).length === 1);
    expect(references.length).toBeGreaterThan(0);
    const response = await post('/decode', { payloads: references.map(wire) });
    expect(response.status).toBe(200);
    const { payloads } = (await response.json()) as {
      payloads: Array<{ metadata: Record<string, string>; data: string }>;
    };
    expect(payloads).toHaveLength(references.length);
    for (const payload of payloads) {
      expect(Buffer.from(payload.metadata.encoding!, 'base64').toString()).toBe('json/plain');
      expect(Buffer.from(payload.data, 'base64').toString()).toContain(MARKER);
    }
    // Inline payloads pass through as they are.
    const inline = payloadsIn(history).find((p) => referencesIn(p).length === 0)!;
    const same = (await (await post('/decode', { payloads: [wire(inline)] })).json()) as {
      payloads: unknown[];
    };
    expect(same.payloads).toEqual([wire(inline)]);
  });

  it('serves `temporal workflow show --codec-endpoint`', async () => {
    const { address, namespace } = testEnvironment();
    const show = async (extra: string[]) => {
      const args = [
        'workflow',
        'show',
        '--workflow-id',
        sessionId,
        '--address',
        address,
        '--namespace',
        namespace,
      ];
      const { stdout } = await promisify(execFile)(
        temporalExecutable(),
        [...args, '--output', 'json', ...extra],
        {
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      // The CLI prints payloads in proto JSON: the content is in base64 `data` fields.
      const texts = payloadsIn(JSON.parse(stdout)).map((p) =>
        Buffer.from(String(p.data ?? ''), 'base64').toString(),
      );
      return texts.some((text) => text.includes(MARKER));
    };
    expect(await show([])).toBe(false);
    expect(await show(['--codec-endpoint', codec.url])).toBe(true);
  });

  it('allows CORS for the configured UI origin only', async () => {
    const preflight = await fetch(`${codec.url}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: UI_ORIGIN },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    const other = await post('/decode', { payloads: [] }, { Origin: 'http://evil.example' });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a deleted blob with an error naming the key and the store', async () => {
    const history = await harness.client.workflow.getHandle(sessionId).fetchHistory();
    const reference = payloadsIn(history).find((p) => referencesIn(p).length === 1)!;
    const key = referencesIn(reference)[0]!.claimData.key!;
    await rm(path.join(dir, key));
    const response = await post('/decode', { payloads: [wire(reference)] });
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: string }).error).toBe(
      `blob ${key} is unavailable in the directory store ${dir}: no such file (deleted, or written to another store)`,
    );
  });
});
