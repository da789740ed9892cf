import type * as Aimock from '@copilotkit/aimock';
import type { LLMock } from '@copilotkit/aimock';
import {
  adapterOf,
  ALL_ADAPTERS,
  createLlmActivities,
  providerClientsFromEnv,
  providerPolicyRules,
  type LlmActivities,
} from '../../activities';
import type { ModelSpec } from '../../common/llm';
import { CouncilUserError } from '../../common/userError';
import { simulatedResponse } from './simulatedAnswers';

/** Local LLM servers standing in for the providers, and the activities that call them. */
export interface SimulatedProviders {
  url: string;
  activities: LlmActivities;
  stop(): Promise<void>;
}

/** The key simulated participants send: a placeholder that names itself, never found in an answer. */
const SIMULATED_KEY = 'council-simulated-no-key';

/**
 * Starts an in-process aimock that answers as each participant, and LLM activities whose calls go to
 * it through the real provider SDKs: the same activity path as a real run, only the server differs.
 */
export async function startSimulatedProviders(
  options: { chunkLatencyMs?: number } = {},
): Promise<SimulatedProviders> {
  // Read and checked as a real run's, before anything starts: an unreadable policy fails here too.
  const operator = providerPolicyRules(process.env);
  const { LLMock: Mock } = loadAimock();
  const mock: LLMock = new Mock({ port: 0, host: '127.0.0.1', logLevel: 'silent', chunkSize: 24 });
  mock.on({ predicate: () => true }, (request) => simulatedResponse(request), {
    latency: options.chunkLatencyMs ?? 15,
  });
  await mock.start();
  // Every provider's standard key and server point at the mock, as a worker's env would at a real one.
  const env: Record<string, string> = {};
  for (const adapter of ALL_ADAPTERS) {
    const [keyEnv] = adapter.env.apiKeyEnv;
    if (keyEnv) env[keyEnv] = SIMULATED_KEY;
    if (adapter.env.baseURLEnv) env[adapter.env.baseURLEnv] = adapter.mockBaseURL(mock.url);
  }
  // The mock takes no key from providers without a standard one: the policy lets it be called so, beside
  // what the operator's own policy allows (a council's message webhook).
  env.COUNCIL_PROVIDER_POLICY = JSON.stringify({
    ...operator,
    keyless: [...(operator.keyless ?? []), mock.url],
  });
  const real = createLlmActivities(providerClientsFromEnv(env), { env });
  return {
    url: mock.url,
    activities: {
      ...real,
      // Every model, whatever its base URL or key variable, is answered by the mock: through the
      // standard client, or (for a provider without one) with the mock as its own server. The policy
      // is asked about the model that is really called.
      callLlm: (request) => real.callLlm({ ...request, model: simulatedModel(request.model, mock.url) }),
      checkProviderPolicy: (subjects) =>
        real.checkProviderPolicy(subjects.map((s) => ({ ...s, model: simulatedModel(s.model, mock.url) }))),
    },
    stop: () => mock.stop(),
  };
}

/** The spec a model is simulated with; the activity validates it again like any other. */
function simulatedModel({ provider, model }: ModelSpec, mockUrl: string): ModelSpec {
  const adapter = adapterOf(provider);
  const standard = adapter.env.apiKeyEnv.length > 0;
  return { provider, model, ...(!standard && { baseURL: adapter.mockBaseURL(mockUrl) }) } as ModelSpec;
}

/**
 * aimock is an optional dependency: only simulated runs need it, so it is loaded when one starts, and
 * an install without it (`npm install --omit=optional`) gets one line saying how to add it.
 */
export function loadAimock(): typeof Aimock {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, see above
    return require('@copilotkit/aimock') as typeof Aimock;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND';
    if (!missing || !String(error).includes('@copilotkit/aimock')) throw error;
    throw new CouncilUserError(
      'simulated participants need the optional package @copilotkit/aimock, which is not installed',
      'npm install @copilotkit/aimock, or set a provider key (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY) for real answers',
      { cause: error },
    );
  }
}
