import { hedgeBackups } from '../../common/hedge';
import type { ModelSpec } from '../../common/llm';
import { councilRecordQuery } from '../../common/resynthesis';
import { sessionViewQuery } from '../../common/sessionApi';
import { CouncilUserError } from '../../common/userError';
import type { FoundRun } from '../api/runs';
import { requiredKeyVars } from './simulated';

/** A model a run calls, and who calls it (for the provider policy's refusal). */
interface CalledModel {
  participant: string;
  model: ModelSpec;
}

/**
 * The models a run's calls go to, read from the run (a session's participants may have changed since
 * its start): a session's participants, selector and budget downgrade; a council's experts,
 * synthesizer, hedge backups and budget downgrade.
 */
async function runModels(found: FoundRun): Promise<CalledModel[]> {
  if (found.kind === 'session') {
    const view = await found.handle.query(sessionViewQuery);
    return [
      ...view.participants.map(({ spec }) => ({ participant: spec.name, model: spec.model })),
      ...(view.otherModels ?? []).map((model) => ({ participant: 'selector or downgrade', model })),
    ];
  }
  const { context } = await found.handle.query(councilRecordQuery);
  return [
    ...context.activeExperts.map((expert) => ({ participant: expert.name, model: expert.model })),
    { participant: 'synthesizer', model: context.synthesisConfig.model },
    ...hedgeBackups(context).map((backup) => ({ participant: 'hedge backup', model: backup.model })),
    ...(context.budget?.downgradeTo ? [{ participant: 'downgrade', model: context.budget.downgradeTo }] : []),
  ];
}

/**
 * Why this process must not serve a run's model calls: it lacks a key they need, or its provider
 * policy refuses where they go. The worker that took such a call would fail it for good
 * (ProviderKeyMissing, ProviderPolicyRefused), and with it the round. Refused, the calls wait on the
 * run's task queue for a worker that can make them; nothing was sent.
 */
export async function runCallsRefusal(
  found: FoundRun,
  env: Readonly<Record<string, string | undefined>>,
): Promise<CouncilUserError | undefined> {
  return callsRefusal(await runModels(found), env, `the ${found.kind} ${found.handle.workflowId}`);
}

/** The refusal when `env` cannot make the calls of `called`: `whose` calls (e.g. "the session ID"). */
export async function callsRefusal(
  called: readonly CalledModel[],
  env: Readonly<Record<string, string | undefined>>,
  whose: string,
): Promise<CouncilUserError | undefined> {
  const missing = missingKeys(
    called.map(({ model }) => model),
    env,
    whose,
  );
  if (missing) return missing;
  const { checkSubjects, loadProviderPolicy } = await import('../../activities/policy');
  const [refused, ...more] = checkSubjects(loadProviderPolicy(env), env, [...called]);
  if (refused === undefined) return undefined;
  const others = more.length > 0 ? ` (and ${more.length} more)` : '';
  return new CouncilUserError(
    `this process's provider policy refuses calls ${whose} makes${others}: ${refused}`,
    "run the command with the policy of the run's worker; its calls wait for a worker that may make them, and none was failed",
  );
}

/** The refusal when `env` lacks a key `models` need: `whose` calls (e.g. "the session ID") name them. */
function missingKeys(
  models: readonly ModelSpec[],
  env: Readonly<Record<string, string | undefined>>,
  whose: string,
): CouncilUserError | undefined {
  const missing = requiredKeyVars(models, env).filter((name) => !env[name]);
  if (missing.length === 0) return undefined;
  const them = missing.length === 1 ? 'it' : 'them';
  return new CouncilUserError(
    `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set, and ${whose} has calls that need ${them}`,
    `set ${them} and run the command again; its calls wait for a worker that has ${them}, and none was failed`,
  );
}
