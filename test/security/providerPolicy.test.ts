import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities, providerClientsFromEnv, type WorkerEnv } from '../../activities';
import { FailureType } from '../../common/failures';
import type { ModelSpec } from '../../common/llm';
import { chatRequests, startMockLlm } from '../helpers/mockLlm';
import { failureOf, llmRequest, runCallLlm, watchResponses, type ResponseWatch } from '../providers/support';

// The activity is the last line: whatever a client sent past validation, the worker's policy decides
// which of its env vars may be sent as a key, and to which host. The mock's request headers (as sent,
// credentials included) are the witness that a refused secret never left the worker.
const SECRET = 'db-password-Zq81mXv4Lp';
const OPENAI_KEY = 'worker-openai-key-7Q2x9Lk';

let mock: LLMock;
let watch: ResponseWatch;
let dir: string;

beforeAll(async () => {
  mock = await startMockLlm();
  watch = watchResponses(mock);
  dir = await mkdtemp(path.join(os.tmpdir(), 'council-policy-'));
});
afterAll(async () => {
  await mock?.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  mock.clearFixtures();
  mock.clearRequests();
  watch.reset();
  mock.onMessage(/.*/, { content: 'ok', usage: { prompt_tokens: 2, completion_tokens: 1 } });
});

/** The same server under two origins: 127.0.0.1 (the worker's configured one) and localhost. */
const at = (host: '127.0.0.1' | 'localhost') => `http://${host}:${mock.port}`;
const compatible = (host: '127.0.0.1' | 'localhost', apiKeyEnv?: string): ModelSpec => ({
  provider: 'openai-compatible',
  model: 'exfiltrate',
  baseURL: `${at(host)}/v1`,
  ...(apiKeyEnv && { apiKeyEnv }),
});
const workerEnv = (extra: WorkerEnv = {}): WorkerEnv => ({
  OPENAI_API_KEY: OPENAI_KEY,
  OPENAI_BASE_URL: `${at('127.0.0.1')}/v1`,
  SECRET_DB_PASSWORD: SECRET,
  LOCAL_LLM_KEY: 'local-llm-key-0001',
  ...extra,
});
const activitiesWith = (env: WorkerEnv) => createLlmActivities(providerClientsFromEnv(env), { env });
const sentHeaders = () => JSON.stringify(watch.responses.map((exchange) => exchange.requestHeaders));

async function refusal(env: WorkerEnv, model: ModelSpec) {
  const failure = await failureOf(runCallLlm(activitiesWith(env), llmRequest(model, 'hi')).result);
  expect(failure).toMatchObject({ type: FailureType.ProviderPolicyRefused, nonRetryable: true });
  expect(watch.responses).toHaveLength(0);
  expect(chatRequests(mock)).toHaveLength(0);
  return failure.message;
}

describe('attack: a request names any env var of the worker as its key, for any host', () => {
  it('SECRET_DB_PASSWORD as apiKeyEnv: refused before any request, naming the rule and the way to widen it', async () => {
    const message = await refusal(workerEnv(), compatible('127.0.0.1', 'SECRET_DB_PASSWORD'));
    expect(message).toContain('SECRET_DB_PASSWORD');
    expect(message).toContain('COUNCIL_PROVIDER_POLICY');
    expect(message).not.toContain(SECRET);
    expect(sentHeaders()).not.toContain(SECRET);
  });

  it('the real OPENAI_API_KEY to another host (baseURL, or apiKeyEnv on openai-compatible): refused', async () => {
    const viaBaseUrl = await refusal(workerEnv(), {
      provider: 'openai',
      model: 'gpt-4o-mini',
      baseURL: `${at('localhost')}/v1`,
    });
    expect(viaBaseUrl).toContain('OPENAI_API_KEY');
    expect(viaBaseUrl).toContain(at('localhost'));
    await refusal(workerEnv(), compatible('localhost', 'OPENAI_API_KEY'));
    expect(sentHeaders()).not.toContain(OPENAI_KEY);
  });

  it('a keyless openai-compatible server the policy does not list: refused', async () => {
    expect(await refusal(workerEnv(), compatible('127.0.0.1'))).toContain('keyless');
  });
});

describe('the default policy: each provider key to its standard host or its *_BASE_URL', () => {
  it('lets OPENAI_API_KEY go to OPENAI_BASE_URL, named or not, and the default client run', async () => {
    const activities = activitiesWith(workerEnv());
    for (const model of [
      { provider: 'openai', model: 'gpt-4o-mini' },
      { provider: 'openai', model: 'gpt-4o-mini', apiKeyEnv: 'OPENAI_API_KEY' },
      { provider: 'openai', model: 'gpt-4o-mini', baseURL: `${at('127.0.0.1')}/v1` },
    ] satisfies ModelSpec[]) {
      expect((await runCallLlm(activities, llmRequest(model, 'hi')).result).content).toBe('ok');
    }
    const auth = watch.responses.map((exchange) => exchange.requestHeaders.authorization);
    expect(auth).toEqual(Array(3).fill(`Bearer ${OPENAI_KEY}`));
  });
});

describe('a policy that widens where keys may go', () => {
  const policy = () => ({
    keys: { LOCAL_LLM_KEY: [`${at('127.0.0.1')}/v1`] },
    keyless: [at('127.0.0.1')],
  });

  it.each([
    ['COUNCIL_PROVIDER_POLICY (JSON)', async () => ({ COUNCIL_PROVIDER_POLICY: JSON.stringify(policy()) })],
    [
      'COUNCIL_PROVIDER_POLICY_FILE',
      async () => {
        const file = path.join(dir, 'policy.json');
        await writeFile(file, JSON.stringify(policy()));
        return { COUNCIL_PROVIDER_POLICY_FILE: file };
      },
    ],
  ])('%s: the listed key and keyless host work, nothing else does', async (_, source) => {
    const env = workerEnv(await source());
    const activities = activitiesWith(env);
    await runCallLlm(activities, llmRequest(compatible('127.0.0.1', 'LOCAL_LLM_KEY'), 'hi')).result;
    await runCallLlm(activities, llmRequest(compatible('127.0.0.1'), 'hi')).result;
    expect(watch.responses.map((exchange) => exchange.requestHeaders.authorization)).toEqual([
      'Bearer local-llm-key-0001',
      'Bearer no-key',
    ]);
    watch.reset();
    mock.clearRequests();
    // The same key to another origin, and a key the policy does not name, stay refused.
    await refusal(env, compatible('localhost', 'LOCAL_LLM_KEY'));
    await refusal(env, compatible('127.0.0.1', 'SECRET_DB_PASSWORD'));
  });
});

describe('a policy the worker cannot read stops it at start, saying what and where', () => {
  it.each([
    ['not JSON', { COUNCIL_PROVIDER_POLICY: '{keys:' }, /COUNCIL_PROVIDER_POLICY.*JSON/],
    [
      'a key name that is no env var',
      { COUNCIL_PROVIDER_POLICY: '{"keys":{"my key":["https://a.example"]}}' },
      /COUNCIL_PROVIDER_POLICY.*keys/,
    ],
    [
      'a host that is not http(s)',
      { COUNCIL_PROVIDER_POLICY: '{"keyless":["file:///etc/passwd"]}' },
      /COUNCIL_PROVIDER_POLICY.*keyless\[0\].*http/,
    ],
    ['an unknown field', { COUNCIL_PROVIDER_POLICY: '{"allowAll":true}' }, /allowAll/],
    [
      'a missing file',
      { COUNCIL_PROVIDER_POLICY_FILE: '/nonexistent/policy.json' },
      /COUNCIL_PROVIDER_POLICY_FILE.*\/nonexistent\/policy\.json/,
    ],
  ])('%s', (_, env, problem) => {
    expect(() => activitiesWith(workerEnv(env))).toThrow(problem);
  });
});
