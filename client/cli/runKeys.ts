import { hedgeBackups } from '../../common/hedge';
import type { ModelSpec } from '../../common/llm';
import { councilRecordQuery } from '../../common/resynthesis';
import { sessionViewQuery } from '../../common/sessionApi';
import { CouncilUserError } from '../../common/userError';
import type { FoundRun } from '../api/runs';
import { requiredKeyVars } from './simulated';

/**
 * The models a run's calls go to, read from the run (a session's participants may have changed since
 * its start): a session's participants, selector and budget downgrade; a council's experts,
 * synthesizer, hedge backups and budget downgrade.
 */
async function runModels(found: FoundRun): Promise<ModelSpec[]> {
  if (found.kind === 'session') {
    const view = await found.handle.query(sessionViewQuery);
    return [...view.participants.map((participant) => participant.spec.model), ...(view.otherModels ?? [])];
  }
  const { context } = await found.handle.query(councilRecordQuery);
  return [
    ...context.activeExperts.map((expert) => expert.model),
    context.synthesisConfig.model,
    ...hedgeBackups(context).map((backup) => backup.model),
    ...(context.budget?.downgradeTo ? [context.budget.downgradeTo] : []),
  ];
}

/**
 * Why this process must not serve a run's model calls, if it lacks a key they need: the worker that
 * took such a call would fail it for good (ProviderKeyMissing), and with it the round. Refused, the
 * calls wait on the run's task queue for a worker that has the keys; nothing was sent.
 */
export async function runKeysRefusal(
  found: FoundRun,
  env: Readonly<Record<string, string | undefined>>,
): Promise<CouncilUserError | undefined> {
  return missingKeys(await runModels(found), env, `the ${found.kind} ${found.handle.workflowId}`);
}

/** The refusal when `env` lacks a key `models` need: `whose` calls (e.g. "the session ID") name them. */
export function missingKeys(
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
