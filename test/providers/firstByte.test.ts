import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { adapterOf, createLlmActivities } from '../../activities';
import { MultiParticipantSession } from '../../client/api/session';
import { FailureType } from '../../common/failures';
import type { ModelSpec } from '../../common/llm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { waitFor } from '../helpers/wait';

// A provider that accepts the connection, reads the request and never answers: no status line, no
// byte. Only the participant's first-byte timeout can catch it (heartbeats go on while it waits).
const FIRST_BYTE_MS = 800;
const ATTEMPTS = 2;

interface SilentServer {
  url: string;
  /** Requests that arrived, by path, with whether the client has since closed them. */
  requests: Array<{ path: string; at: number; closedAfterMs?: number }>;
  /** Sockets still open. */
  sockets: Set<Socket>;
  server: Server;
}

async function startSilentServer(): Promise<SilentServer> {
  const silent = { requests: [], sockets: new Set<Socket>() } as unknown as SilentServer;
  silent.server = createServer((req) => {
    const entry: SilentServer['requests'][number] = { path: req.url ?? '', at: Date.now() };
    silent.requests.push(entry);
    req.resume();
    req.socket.once('close', () => (entry.closedAfterMs = Date.now() - entry.at));
  });
  silent.server.on('connection', (socket) => {
    silent.sockets.add(socket);
    socket.once('close', () => silent.sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.server.listen(0, '127.0.0.1', resolve));
  silent.url = `http://127.0.0.1:${(silent.server.address() as AddressInfo).port}`;
  return silent;
}

describe('a provider that accepts the connection and never answers', () => {
  let silent: SilentServer;
  let harness: TemporalTestHarness;

  beforeAll(async () => {
    silent = await startSilentServer();
    // The participants name their own base URL: the worker builds real SDK clients for it.
    // The worker's policy lets the standard keys go to the silent server too.
    const policy = {
      keys: { OPENAI_API_KEY: [silent.url], ANTHROPIC_API_KEY: [silent.url], GEMINI_API_KEY: [silent.url] },
    };
    const env = {
      OPENAI_API_KEY: 'test-openai-key',
      ANTHROPIC_API_KEY: 'test-anthropic-key',
      GEMINI_API_KEY: 'test-gemini-key',
      COUNCIL_PROVIDER_POLICY: JSON.stringify(policy),
    };
    harness = await startHarness('first-byte', createLlmActivities({}, { env }));
  });
  afterAll(async () => {
    await harness?.close();
    for (const socket of silent?.sockets ?? []) socket.destroy();
    await new Promise((resolve) => silent?.server.close(resolve));
  });

  it.each<[string, ModelSpec, string]>([
    ['OpenAI', { provider: 'openai', model: 'gpt-4o-mini' }, '/v1/chat/completions'],
    ['Anthropic', { provider: 'anthropic', model: 'claude-test' }, '/v1/messages'],
    [
      'Gemini',
      { provider: 'gemini', model: 'gemini-test' },
      '/v1beta/models/gemini-test:streamGenerateContent?alt=sse',
    ],
  ])(
    '%s: each attempt is aborted after the first-byte timeout and retried; the round records the failure',
    async (_label, spec, path) => {
      silent.requests.length = 0;
      const baseURL = adapterOf(spec.provider).mockBaseURL(silent.url);
      const session = await MultiParticipantSession.create(
        harness.client,
        { strategy: 'broadcast' },
        { taskQueue: harness.taskQueue },
      );
      await session.addParticipant('Silent', { ...spec, baseURL }, 'panelist', {
        // The attempt timeout stays at its 5 minutes: the first-byte timeout alone must catch this.
        timeouts: { firstByteMs: FIRST_BYTE_MS },
        retry: { maximumAttempts: ATTEMPTS, initialIntervalMs: 100 },
      });
      const startedAt = Date.now();
      const [response] = await session.sendMessage('user', 'Are you there?');
      const elapsedMs = Date.now() - startedAt;

      expect(response).toMatchObject({ participantName: 'Silent', status: 'failed' });
      expect(response?.error?.type).toBe(FailureType.ProviderFirstByteTimeout);
      expect(response?.error?.message).toContain(`${FIRST_BYTE_MS} ms`);
      expect(silent.requests.map((request) => request.path)).toEqual(Array(ATTEMPTS).fill(path));
      // Two attempts of ~0.8 s and a 100 ms backoff, plus scheduling on a busy machine.
      expect(elapsedMs).toBeLessThan(15_000);
      // Every request was aborted by the client, soon after its timeout: no socket is left open. The
      // timer starts when the call is handed to the SDK, so the SDK's own work before the request
      // reaches the server counts against it (Gemini's SDK spent 300 ms on a first request on a
      // loaded machine): the server sees the abort sooner than the limit, but not at once.
      await waitFor('the aborted sockets to close', () => silent.sockets.size === 0, 10_000);
      for (const request of silent.requests) {
        expect(request.closedAfterMs).toBeGreaterThanOrEqual(FIRST_BYTE_MS / 4);
        expect(request.closedAfterMs).toBeLessThan(FIRST_BYTE_MS + 5_000);
      }
    },
    60_000,
  );
});
