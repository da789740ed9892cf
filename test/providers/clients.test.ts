import type { LLMock } from '@copilotkit/aimock';
import {
  ALL_ADAPTERS,
  createLlmActivities,
  missingProviderKeys,
  providerClientsFromEnv,
} from '../../activities';
import { FailureType } from '../../common/failures';
import type { LlmRequest, ModelSpec } from '../../common/llm';
import { chatRequests, startMockLlm } from '../helpers/mockLlm';
import { failureOf, llmRequest, runCallLlm, watchResponses, type ResponseWatch } from './support';

let mock: LLMock;
let watch: ResponseWatch;

beforeAll(async () => {
  mock = await startMockLlm();
  watch = watchResponses(mock);
});
afterAll(() => mock.stop());
beforeEach(() => {
  mock.clearFixtures();
  mock.clearRequests();
  watch.reset();
  mock.onMessage(/.*/, {
    content: 'ok',
    usage: { prompt_tokens: 2, completion_tokens: 1, input_tokens: 2, output_tokens: 1 },
  });
});

/**
 * A worker env whose provider policy lets these tests' keys go to the mock under both of its names,
 * and the mock be called without a key (test/security/providerPolicy.test.ts tests the refusals).
 */
const withPolicy = (env: Record<string, string>): Record<string, string> => {
  const hosts = [`http://127.0.0.1:${mock.port}`, `http://localhost:${mock.port}`];
  const keys = Object.fromEntries(
    ['LOCAL_LLM_KEY', 'ROTATING_KEY', 'OPENROUTER_API_KEY'].map((k) => [k, hosts]),
  );
  return Object.assign(env, { COUNCIL_PROVIDER_POLICY: JSON.stringify({ keys, keyless: hosts }) });
};
const authHeaders = () => watch.responses.map((exchange) => exchange.requestHeaders.authorization);
const compatible = (apiKeyEnv?: string, host = '127.0.0.1'): ModelSpec => ({
  provider: 'openai-compatible',
  model: 'llama3.2',
  baseURL: `http://${host}:${mock.port}/v1`,
  ...(apiKeyEnv && { apiKeyEnv }),
});

describe('openai-compatible endpoints', () => {
  it('use the participant baseURL and the key from the env var it names, with max_tokens', async () => {
    const activities = createLlmActivities({}, { env: withPolicy({ LOCAL_LLM_KEY: 'local-key-0001' }) });
    const response = await runCallLlm(
      activities,
      llmRequest(compatible('LOCAL_LLM_KEY'), 'hi', { maxOutputTokens: 50 }),
    ).result;
    expect(response.content).toBe('ok');
    expect(authHeaders()).toEqual(['Bearer local-key-0001']);
    expect(chatRequests(mock)[0]?.body).toMatchObject({ max_tokens: 50 });
    expect(chatRequests(mock)[0]?.body).not.toHaveProperty('max_completion_tokens');
  });

  it('work without any key for servers that need none (Ollama, llama.cpp)', async () => {
    const activities = createLlmActivities({}, { env: withPolicy({}) });
    await runCallLlm(activities, llmRequest(compatible(), 'hi')).result;
    expect(authHeaders()).toEqual(['Bearer no-key']);
  });

  it('build one client per baseURL + apiKeyEnv, once, and reuse it', async () => {
    const env = withPolicy({ ROTATING_KEY: 'first-key-0001' });
    const activities = createLlmActivities({}, { env });
    await runCallLlm(activities, llmRequest(compatible('ROTATING_KEY'), 'one')).result;
    // The env changes, but the client for this baseURL + apiKeyEnv was built already: the key stays.
    env.ROTATING_KEY = 'second-key-0002';
    await runCallLlm(activities, llmRequest(compatible('ROTATING_KEY'), 'two')).result;
    // Another baseURL (same server, other host name) is another client, built now, with the new key.
    await runCallLlm(activities, llmRequest(compatible('ROTATING_KEY', 'localhost'), 'three')).result;
    expect(authHeaders()).toEqual([
      'Bearer first-key-0001',
      'Bearer first-key-0001',
      'Bearer second-key-0002',
    ]);
  });

  it('fail with a non-retryable ProviderKeyMissing naming the env var, sending nothing', async () => {
    const activities = createLlmActivities({}, { env: withPolicy({}) });
    const failure = await failureOf(
      runCallLlm(activities, llmRequest(compatible('OPENROUTER_API_KEY'), 'hi')).result,
    );
    expect(failure).toMatchObject({ type: FailureType.ProviderKeyMissing, nonRetryable: true });
    expect(failure.message).toContain('OPENROUTER_API_KEY');
    expect(chatRequests(mock)).toHaveLength(0);
  });

  it('scrub the key from failure messages', async () => {
    mock.nextRequestError(401, {
      message: 'bad key local-key-0001 for this server',
      type: 'invalid_request_error',
    });
    const activities = createLlmActivities({}, { env: withPolicy({ LOCAL_LLM_KEY: 'local-key-0001' }) });
    const failure = await failureOf(
      runCallLlm(activities, llmRequest(compatible('LOCAL_LLM_KEY'), 'hi')).result,
    );
    expect(failure.type).toBe(FailureType.ProviderAuthentication);
    expect(failure.message).toContain('bad key [redacted] for this server');
  });
});

describe("what the SDKs read from the worker's environment themselves", () => {
  const operatorVariables = {
    OPENAI_ORG_ID: 'org-SECRETORG',
    OPENAI_PROJECT_ID: 'proj-SECRETPROJ',
    OPENAI_CUSTOM_HEADERS: 'X-Proxy-Auth: proxy-SECRET-openai',
    ANTHROPIC_CUSTOM_HEADERS: 'X-Proxy-Auth: proxy-SECRET-anthropic\nX-Other: other-SECRET',
    ANTHROPIC_AUTH_TOKEN: 'authtok-SECRET-456',
  };
  const saved = Object.fromEntries(Object.keys(operatorVariables).map((name) => [name, process.env[name]]));
  beforeEach(() => Object.assign(process.env, operatorVariables));
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  const sent = () => JSON.stringify(watch.responses.map((exchange) => exchange.requestHeaders));

  it("never go to a participant's own server: only the key the policy lets through does", async () => {
    const env = withPolicy({ LOCAL_LLM_KEY: 'local-key-0001' });
    const activities = createLlmActivities({}, { env });
    await runCallLlm(activities, llmRequest(compatible(), 'hi')).result;
    const ownAnthropic: ModelSpec = {
      provider: 'anthropic',
      model: 'claude-haiku-4-5',
      baseURL: `http://127.0.0.1:${mock.port}`,
      apiKeyEnv: 'LOCAL_LLM_KEY',
    };
    await runCallLlm(activities, llmRequest(ownAnthropic, 'hi')).result;
    expect(watch.responses).toHaveLength(2);
    expect(sent()).not.toMatch(/SECRET/);
    expect(sent()).toContain('local-key-0001');
  });

  it("still go with the worker's own clients, which its operator configured", async () => {
    const env = { OPENAI_API_KEY: 'env-openai-key', OPENAI_BASE_URL: `${mock.url}/v1` };
    const activities = createLlmActivities(providerClientsFromEnv(env), { env });
    await runCallLlm(activities, llmRequest({ provider: 'openai', model: 'gpt-4o-mini' }, 'hi')).result;
    expect(watch.responses[0]?.requestHeaders).toMatchObject({
      'openai-organization': 'org-SECRETORG',
      'x-proxy-auth': 'proxy-SECRET-openai',
    });
  });
});

describe('clients from the worker environment', () => {
  it('builds clients from OPENAI_* and ANTHROPIC_* with SDK retries off, and they reach the server', async () => {
    const env = {
      OPENAI_API_KEY: 'env-openai-key',
      OPENAI_BASE_URL: `${mock.url}/v1`,
      ANTHROPIC_API_KEY: 'env-anthropic-key',
      ANTHROPIC_BASE_URL: mock.url,
    };
    const clients = providerClientsFromEnv(env);
    expect(clients.openai).toMatchObject({
      maxRetries: 0,
      baseURL: `${mock.url}/v1`,
      apiKey: 'env-openai-key',
    });
    expect(clients.anthropic).toMatchObject({
      maxRetries: 0,
      baseURL: mock.url,
      apiKey: 'env-anthropic-key',
    });
    const activities = createLlmActivities(clients, { env });
    await runCallLlm(activities, llmRequest({ provider: 'openai', model: 'gpt-4o-mini' }, 'hi')).result;
    await runCallLlm(activities, llmRequest({ provider: 'anthropic', model: 'claude-haiku-4-5' }, 'hi'))
      .result;
    expect(chatRequests(mock).map((entry) => entry.path)).toEqual(['/v1/chat/completions', '/v1/messages']);
    // Anthropic's SDK has sent its key as x-api-key or as a bearer token, depending on the version.
    const anthropicHeaders = watch.responses[1]?.requestHeaders;
    expect([anthropicHeaders?.['x-api-key'], anthropicHeaders?.authorization]).toContainEqual(
      expect.stringContaining('env-anthropic-key'),
    );
  });

  it('leaves out a provider without a key; calling it fails with ProviderKeyMissing', async () => {
    const clients = providerClientsFromEnv({ OPENAI_BASE_URL: `${mock.url}/v1` });
    expect(clients).toEqual({});
    const activities = createLlmActivities(clients, { env: {} });
    for (const [provider, envVar] of [
      ['openai', 'OPENAI_API_KEY'],
      ['anthropic', 'ANTHROPIC_API_KEY'],
    ] as const) {
      const failure = await failureOf(
        runCallLlm(activities, llmRequest({ provider, model: 'm' }, 'hi')).result,
      );
      expect(failure).toMatchObject({ type: FailureType.ProviderKeyMissing, nonRetryable: true });
      expect(failure.message).toContain(envVar);
    }
    expect(chatRequests(mock)).toHaveLength(0);
  });

  it('reports at start-up which providers lack keys, naming the env var', () => {
    const keyed = ALL_ADAPTERS.filter((adapter) => adapter.env.apiKeyEnv.length > 0);
    const missing = missingProviderKeys({});
    expect(missing).toHaveLength(keyed.length);
    keyed.forEach((adapter, index) => {
      expect(missing[index]).toContain(`${adapter.env.apiKeyEnv[0]}`);
      expect(missing[index]).toContain(`provider "${adapter.name}"`);
    });
    expect(missing[0]).toContain('OPENAI_API_KEY');
    expect(missing[1]).toContain('ANTHROPIC_API_KEY');
    expect(missingProviderKeys({ ANTHROPIC_API_KEY: 'x' })).toEqual(
      missing.filter((line) => !line.includes('ANTHROPIC_API_KEY')),
    );
    const everyKey = Object.fromEntries(keyed.map((adapter) => [adapter.env.apiKeyEnv[0], 'x']));
    expect(missingProviderKeys(everyKey)).toEqual([]);
  });

  it('refuses a malformed request once, with every issue named, instead of retrying it', async () => {
    const activities = createLlmActivities({}, { env: {} });
    const request = {
      model: { provider: 'openai-compatible', model: 'x' },
      messages: [],
    } as unknown as LlmRequest;
    const failure = await failureOf(runCallLlm(activities, request).result);
    expect(failure).toMatchObject({ type: FailureType.InvalidRequest, nonRetryable: true });
    expect(failure.message).toContain('model.baseURL');
    expect(failure.message).toContain('messages');
  });
});
