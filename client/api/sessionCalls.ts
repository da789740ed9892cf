import type { WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { sessionBudgetProblems } from '../../common/budget';
import { sessionQuorumProblem } from '../../common/quorum';
import {
  sessionConfigSchema,
  setParticipantRoleSchema,
  type SetParticipantRoleInput,
  type ParticipantDetail,
  type ParticipantRecord,
  type ParticipantResponse,
  type SessionConfig,
  type SessionConfigInput,
} from '../../common/session';
import {
  ORCHESTRATION_STRATEGIES,
  participantSpecSchema,
  type OrchestrationStrategy,
} from '../../common/participants';
import { zodProblem } from '../../common/validation';
import { CouncilUserError } from '../../common/userError';
import { shownValue } from '../../common/printable';
import { participantNameProblem, repeatedNameProblem, repeatedNames } from '../../common/names';
import { executeUpdateWithRetry } from './updateRetry';

export { asUserError } from './updateRetry';

/** The config as the workflow reads it, or a CouncilUserError naming each issue (fields, budget). */
export function validSessionConfig(config: SessionConfigInput): SessionConfig {
  const parsed = sessionConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new CouncilUserError(`invalid session config: ${zodProblem(parsed.error)}`, 'fix the fields named');
  }
  // The workflow would refuse it only once started: it would fail, and every later call with it.
  const [repeated] = repeatedNames(parsed.data.participants.map((participant) => participant.name));
  if (repeated) {
    const where = `participants[${repeated.index}].name`;
    throw new CouncilUserError(
      `invalid session config: ${where}: ${repeatedNameProblem(repeated)}`,
      'fix the fields named',
    );
  }
  parsed.data.participants.forEach(({ name }, index) =>
    requireParticipantName(name, `participants[${index}].name`),
  );
  const quorumProblem = sessionQuorumProblem(parsed.data);
  if (quorumProblem) throw new CouncilUserError(`invalid session config: ${quorumProblem}`);
  const budgetProblems = sessionBudgetProblems(parsed.data);
  if (budgetProblems.length > 0) {
    throw new CouncilUserError(
      `invalid session config: ${budgetProblems.join('; ')}`,
      'fix the budget or the models',
    );
  }
  return parsed.data;
}

/**
 * A participant the session would refuse, refused here first: sent as it is, an oversized system
 * prompt went through the payload codec, which stored it in the blob store before the refusal, and
 * a name that is no string failed with a TypeError.
 */
export function requireParticipantSpec(spec: Record<string, unknown>): void {
  // The name's own rules first: they say more than the pattern the schema checks.
  if (typeof spec.name === 'string') requireParticipantName(spec.name);
  const parsed = participantSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const who = typeof spec.name === 'string' ? ` ${JSON.stringify(spec.name)}` : '';
    throw new CouncilUserError(
      `invalid participant${who}: ${zodProblem(parsed.error)}`,
      'fix the fields named',
    );
  }
}

/**
 * The name a method that finds one participant was given, or a CouncilUserError saying what it got:
 * a caller without a type check passed undefined, and the session said "no participant named undefined".
 */
export function nameArgument(name: unknown, method: string): string {
  if (typeof name === 'string') return name;
  throw new CouncilUserError(
    `${method} takes a participant's name, and got ${shownValue(name)}`,
    'pass the name as a string',
  );
}

/** A role change checked here first: a NaN priority reached the session as null, and was named so. */
export function checkedRoleChange(change: SetParticipantRoleInput): SetParticipantRoleInput {
  const parsed = setParticipantRoleSchema.safeParse(change);
  if (parsed.success) return change;
  throw new CouncilUserError(`invalid role change: ${zodProblem(parsed.error)}`, 'fix the fields named');
}

/** A strategy checked here first: an object reached the session as "[object Object]". */
export function checkedStrategy(strategy: unknown): OrchestrationStrategy {
  const known: readonly unknown[] = ORCHESTRATION_STRATEGIES;
  if (known.includes(strategy)) return strategy as OrchestrationStrategy;
  throw new CouncilUserError(
    `strategy must be one of ${ORCHESTRATION_STRATEGIES.join(', ')}, and is ${shownValue(strategy)}`,
    'pass one of them as a string',
  );
}

/**
 * Throws a user error for a participant name the session would take but not tell apart (see
 * common/names): a config's at its path (`where`), a joining participant's as its own.
 */
function requireParticipantName(name: string, where?: string): void {
  const problem = participantNameProblem(name);
  if (!problem) return;
  if (where)
    throw new CouncilUserError(`invalid session config: ${where}: ${problem}`, 'fix the fields named');
  throw new CouncilUserError(`invalid participant: ${problem}`, 'pick another name');
}

/**
 * Runs an update of a session under one id: asked again when the request timed out or no worker
 * processed it ({@link executeUpdateWithRetry}, shared with councils). A refusal becomes a
 * CouncilUserError; an ended session says how it ended.
 */
export async function updateSession<Ret, Args extends unknown[]>(
  handle: WorkflowHandle,
  definition: UpdateDefinition<Ret, Args>,
  ...args: Args
): Promise<Ret> {
  return executeUpdateWithRetry(handle, 'session', definition, ...args);
}

/**
 * The responses that are answers: the seed's "check `responses.len()` to see how many succeeded"
 * is `succeeded(responses).length` here, since a round's responses include failed and skipped ones.
 */
export function succeeded(responses: readonly ParticipantResponse[]): ParticipantResponse[] {
  return responses.filter((response) => response.status === 'ok');
}

/** A participant's record as the library hands it out: its spec's fields flat, with history sizes. */
export function participantDetailOf(record: ParticipantRecord): ParticipantDetail {
  const { spec, joinedAt, history, usage, instructions } = record;
  const historyDropped = record.historyDropped ?? 0;
  return {
    ...spec,
    spec,
    joinedAt,
    history,
    instructions,
    usage,
    historyLength: history.length,
    historyDropped,
  };
}
