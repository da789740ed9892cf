import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adapterOf, createLlmActivities } from '../../activities';
import { MultiParticipantSession } from '../../client/api/session';
import { FailureType } from '../../common/failures';
import type { ModelSpec } from '../../common/llm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';

// The worker's policy lets each key go to one origin. That origin answers every request with a
// redirect to another host, which records what reaches it: with a redirect followed, the request
// (Gemini's key in its x-goog-api-key header, every provider's prompt) would reach a host no one allowed.

interface Listening {
  url: string;
  server: Server;
}

async function listen(server: Server): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('attack: an allowed provider origin redirects the call to another host', () => {
  const reached: Array<{ path: string; headers: IncomingHttpHeaders }> = [];
  let capture: Listening;
  let redirecting: Listening;
  let harness: TemporalTestHarness;

  beforeAll(async () => {
    capture = await listen(
      createServer((req, res) => {
        reached.push({ path: req.url ?? '', headers: req.headers });
        req.resume();
        res.writeHead(500).end();
      }),
    );
    redirecting = await listen(
      createServer((req, res) => {
        req.resume();
        res.writeHead(307, { location: `${capture.url}${req.url ?? ''}` }).end();
      }),
    );
    const origin = redirecting.url;
    const policy = {
      keys: { OPENAI_API_KEY: [origin], ANTHROPIC_API_KEY: [origin], GEMINI_API_KEY: [origin] },
    };
    const env = {
      OPENAI_API_KEY: 'sk-redirect-openai',
      ANTHROPIC_API_KEY: 'sk-redirect-anthropic',
      GEMINI_API_KEY: 'redirect-gemini-key',
      COUNCIL_PROVIDER_POLICY: JSON.stringify(policy),
    };
    harness = await startHarness('redirect', createLlmActivities({}, { env }));
  });
  afterAll(async () => {
    await harness?.close();
    for (const listening of [capture, redirecting])
      await new Promise((resolve) => listening?.server.close(resolve));
  });

  it.each<[string, ModelSpec]>([
    ['OpenAI', { provider: 'openai', model: 'gpt-4o-mini' }],
    ['Anthropic', { provider: 'anthropic', model: 'claude-test' }],
    ['Gemini', { provider: 'gemini', model: 'gemini-test' }],
  ])('%s: the redirect is not followed, and the call fails saying why', async (_label, spec) => {
    reached.length = 0;
    const session = await MultiParticipantSession.create(
      harness.client,
      { strategy: 'broadcast' },
      { taskQueue: harness.taskQueue },
    );
    const baseURL = adapterOf(spec.provider).mockBaseURL(redirecting.url);
    await session.addParticipant('Redirected', { ...spec, baseURL }, 'panelist', {
      retry: { maximumAttempts: 1 },
    });
    const [response] = await session.sendMessage('user', 'Where does this go?');
    await session.close();

    expect(reached).toEqual([]);
    expect(response).toMatchObject({ participantName: 'Redirected', status: 'failed' });
    expect(response?.error?.type).toBe(FailureType.ProviderPolicyRefused);
    expect(response?.error?.message).toContain(`redirected the call to ${capture.url}`);
  });
});
