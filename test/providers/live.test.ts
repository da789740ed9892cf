import {
  ALL_ADAPTERS,
  createLlmActivities,
  providerClientsFromEnv,
  type LlmActivities,
} from '../../activities';
import { FailureType } from '../../common/failures';
import type { ModelSpec } from '../../common/llm';
import { failureOf, llmRequest, runCallLlm } from './support';

// Calls the real OpenAI and Anthropic APIs, each only when its key is in the environment. Costs a few
// hundred tokens per run. Models can be changed with OPENAI_LIVE_MODEL / ANTHROPIC_LIVE_MODEL.
const LIVE = [
  {
    provider: 'openai',
    keyEnv: 'OPENAI_API_KEY',
    model: process.env.OPENAI_LIVE_MODEL ?? 'gpt-4o-mini',
  },
  {
    provider: 'anthropic',
    keyEnv: 'ANTHROPIC_API_KEY',
    model: process.env.ANTHROPIC_LIVE_MODEL ?? 'claude-haiku-4-5',
  },
] as const;

/** Never a real key: used to see a real 401 come back classified and scrubbed. */
const WRONG_KEY = 'sk-council-live-test-wrong-key-0000000000';

for (const live of LIVE) {
  const hasKey = Boolean(process.env[live.keyEnv]);
  const title = hasKey
    ? `live ${live.provider} API (${live.model})`
    : `live ${live.provider} API (skipped: ${live.keyEnv} is not set)`;

  (hasKey ? describe : describe.skip)(title, () => {
    const model: ModelSpec = { provider: live.provider, model: live.model };
    let activities: LlmActivities;

    beforeAll(() => {
      // The worker's policy lets the wrong key go where the real one goes (the standard hosts).
      const hosts = ALL_ADAPTERS.flatMap(({ env }) => [
        env.defaultBaseURL,
        env.baseURLEnv && process.env[env.baseURLEnv],
      ]).filter((url): url is string => Boolean(url));
      const policy = JSON.stringify({ keys: { COUNCIL_LIVE_WRONG_KEY: hosts } });
      const env = { ...process.env, COUNCIL_LIVE_WRONG_KEY: WRONG_KEY, COUNCIL_PROVIDER_POLICY: policy };
      activities = createLlmActivities(providerClientsFromEnv(process.env), { env });
    });

    it('streams an answer with usage', async () => {
      const request = llmRequest(model, 'Reply with the single word: yes', { maxOutputTokens: 20 });
      const response = await runCallLlm(activities, request).result;
      expect(response.content.toLowerCase()).toContain('yes');
      expect(response.tokenUsage.inputTokens).toBeGreaterThan(0);
      expect(response.tokenUsage.outputTokens).toBeGreaterThan(0);
      expect(response.tokenUsage.totalTokens).toBe(
        response.tokenUsage.inputTokens + response.tokenUsage.outputTokens,
      );
      expect(response.stopReason).toBe('stop');
    });

    it('answers without streaming, and reports a cut-off answer as truncated', async () => {
      const request = llmRequest(model, 'Count from 1 to 200, one number per line.', {
        stream: false,
        maxOutputTokens: 16,
      });
      const response = await runCallLlm(activities, request).result;
      expect(response).toMatchObject({ stopReason: 'length', truncated: true });
      expect(response.content.length).toBeGreaterThan(0);
    });

    it('answers with a JSON object in JSON mode', async () => {
      const request = llmRequest(model, 'Give {"answer": <the sum of 2 and 3>}.', {
        responseFormat: 'json',
        maxOutputTokens: 50,
      });
      const response = await runCallLlm(activities, request).result;
      const json = response.content.replace(/^```(?:json)?\s*|\s*```$/g, '');
      expect(JSON.parse(json)).toEqual({ answer: 5 });
    });

    it('classifies a wrong key as a final ProviderAuthentication without echoing the key', async () => {
      const wrong: ModelSpec = { ...model, apiKeyEnv: 'COUNCIL_LIVE_WRONG_KEY' };
      const failure = await failureOf(runCallLlm(activities, llmRequest(wrong, 'hi')).result);
      expect(failure).toMatchObject({ type: FailureType.ProviderAuthentication, nonRetryable: true });
      expect(failure.message).not.toContain(WRONG_KEY);
    });
  });
}
