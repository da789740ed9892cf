import { DOWNGRADE_SUBJECT } from '../../common/budget';
import { councilModelSubjects } from '../../common/hedge';
import { DEFAULT_SYNTHESIZER_NAME } from '../../common/councilRouting';
import type { ModelSpec } from '../../common/llm';
import type { PolicySubject } from '../../common/policy';
import { ALL_PROVIDER_FACTS, PROVIDER_FACTS, standardKeyEnv, type WorkerEnv } from '../../common/providers';
import type { CouncilConfig } from '../api/config';
import { CouncilUserError } from '../../common/userError';

// What decides and announces a simulated run, without the SDKs: the CLI reads it before its first
// line. The simulated providers themselves are client/simulation/simulatedProviders.ts.

/** The line printed above every simulated run; tests and people look for it. */
export const SIMULATED_BANNER =
  'SIMULATED participants (no API key set, or --simulate): answers come from a local mock, not a model. ' +
  `For real answers, set ${ALL_PROVIDER_FACTS.flatMap((provider) => provider.env.apiKeyEnv.slice(0, 1)).join(' or ')} ` +
  'and leave out --simulate.';

/** Every model a config calls, with who calls it (as a provider policy's refusal names it). */
export function configSubjects(config: CouncilConfig): PolicySubject[] {
  if (config.kind === 'council') {
    const { synthesisConfig } = config.context;
    const name = synthesisConfig.name ?? DEFAULT_SYNTHESIZER_NAME;
    return councilModelSubjects({ ...config.context, synthesisConfig: { ...synthesisConfig, name } });
  }
  const { participants, selector, budget } = config.session;
  return [
    ...participants.map((p) => ({ participant: p.name, model: p.model })),
    ...(selector ? [{ participant: 'selector', model: selector.model }] : []),
    ...(budget?.downgradeTo ? [{ participant: DOWNGRADE_SUBJECT, model: budget.downgradeTo }] : []),
  ];
}

/** Every model a config calls. */
export function configModels(config: CouncilConfig): ModelSpec[] {
  return configSubjects(config).map((subject) => subject.model);
}

/**
 * The env var holding the key of each model: its own apiKeyEnv, else its provider's standard key (the
 * one set in `env`, if any). Providers without a standard key (openai-compatible) need none.
 */
export function requiredKeyVars(models: readonly ModelSpec[], env: WorkerEnv): string[] {
  const vars = models.map((model) => {
    const provider = PROVIDER_FACTS[model.provider];
    return model.apiKeyEnv ?? standardKeyEnv(provider, env) ?? provider.env.apiKeyEnv[0];
  });
  return [...new Set(vars.filter((name): name is string => name !== undefined))];
}

/**
 * Whether a run with an in-process worker is simulated. It is when --simulate says so, or when not a
 * single key the config needs is set (a fresh clone). When some keys are set and others are not, that
 * is a mistake, not a wish for simulation: the missing ones are named and nothing starts. `from` says
 * where the run is started, so the fix is one its user can make there: the CLI's flag, or on
 * `council ui`'s page, the process's environment or the form's simulated participants.
 */
export function shouldSimulate(
  config: CouncilConfig,
  env: Readonly<Record<string, string | undefined>>,
  simulateFlag: boolean | undefined,
  from: 'cli' | 'page' = 'cli',
): boolean {
  if (simulateFlag === true) return true;
  const needed = requiredKeyVars(configModels(config), env);
  const missing = needed.filter((name) => !env[name]);
  if (missing.length === 0) return false;
  if (missing.length === needed.length && simulateFlag === undefined) return true;
  const them = missing.length === 1 ? 'it' : 'them';
  const fix =
    from === 'cli'
      ? 'set the key(s), or pass --simulate for simulated participants'
      : `set ${them} in the environment of the \`council ui\` process and start it again, or choose ` +
        '"Default participants: SIMULATED" in the form';
  throw new CouncilUserError(
    `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set, and the config has participants that need ${them}`,
    fix,
  );
}
