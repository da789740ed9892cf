import type { CouncilMode } from '../../common/council';
import { ALL_PROVIDER_FACTS, standardKeyEnv } from '../../common/providers';
import { validateConfig, type ConfigOverrides, type CouncilConfig } from './config';

// The participants a run gets when no config names any: `council run` without --config, and the
// `council ui` page's "New run" form. They use the first provider (in registry order) whose key is
// set, so any key gets real answers; with none, the CLI and the page simulate them.

type Env = Readonly<Record<string, string | undefined>>;

/** The provider the defaults use, and its two default models (a small one and a larger one). */
function defaultProvider(env: Env): { provider: string | undefined; models: readonly string[] } {
  const candidates = ALL_PROVIDER_FACTS.filter((provider) => provider.defaultModels);
  const chosen = candidates.find((provider) => standardKeyEnv(provider, env)) ?? candidates[0];
  return { provider: chosen?.name, models: chosen?.defaultModels ?? [] };
}

/** The seed's first example, two panelists under broadcast: what `council run` uses without --config. */
export function defaultConfig(env: Env, overrides: ConfigOverrides = {}): CouncilConfig {
  const { provider, models } = defaultProvider(env);
  return validateConfig(
    {
      systemPrompt: 'You are participating in an AI panel discussion.',
      strategy: 'broadcast',
      participants: models.map((model, index) => ({
        name: `Expert-${index + 1}`,
        role: 'panelist',
        model: { provider, model },
      })),
    },
    overrides,
  );
}

/** Three experts on the small model, a synthesizer on the larger one, messaging on (a person may write in). */
const DEFAULT_EXPERTS = [
  { id: 'analyst', name: 'Analyst', description: 'You break the question down and weigh the evidence.' },
  { id: 'skeptic', name: 'Skeptic', description: 'You look for what could go wrong and what is missing.' },
  { id: 'pragmatist', name: 'Pragmatist', description: 'You propose what to do first, concretely.' },
] as const;

/** A council of {@link DEFAULT_EXPERTS} in `mode`: what the page's form starts for a council. */
export function defaultCouncilConfig(env: Env, mode: CouncilMode = 'parallel'): CouncilConfig {
  const { provider, models } = defaultProvider(env);
  const [small, large] = models;
  return validateConfig({
    kind: 'council',
    mode,
    enableMessaging: true,
    activeExperts: DEFAULT_EXPERTS.map((expert) => ({ ...expert, model: { provider, model: small } })),
    synthesisConfig: { name: 'Synthesizer', model: { provider, model: large ?? small } },
  });
}
