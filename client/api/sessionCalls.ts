import {
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { sessionBudgetProblems } from '../../common/budget';
import { sessionQuorumProblem } from '../../common/quorum';
import {
  sessionConfigSchema,
  type ParticipantDetail,
  type ParticipantRecord,
  type ParticipantResponse,
  type SessionConfig,
  type SessionConfigInput,
} from '../../common/session';
import { zodProblem } from '../../common/validation';
import { explainEnded } from './ended';
import { CouncilUserError } from '../../common/userError';

/** How often an update whose request timed out is asked again (under the same id). */
const UPDATE_ATTEMPTS = 5;

/** The config as the workflow reads it, or a CouncilUserError naming each issue (fields, budget). */
export function validSessionConfig(config: SessionConfigInput): SessionConfig {
  const parsed = sessionConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new CouncilUserError(`invalid session config: ${zodProblem(parsed.error)}`, 'fix the fields named');
  }
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
 * Runs an update of a session under one id. A server that times the request out (a busy cluster)
 * may still run it: asking again under the same id returns that run's result instead of running it
 * twice. A refusal becomes a CouncilUserError; an ended session says how it ended.
 */
export async function updateSession<Ret, Args extends unknown[]>(
  handle: WorkflowHandle,
  definition: UpdateDefinition<Ret, Args>,
  ...args: Args
): Promise<Ret> {
  // The overloads split on arity; the definition's own type keeps args and result in step.
  const execute = handle.executeUpdate.bind(handle) as (
    def: UpdateDefinition<Ret, Args>,
    options: { args: Args; updateId: string },
  ) => Promise<Ret>;
  const updateId = crypto.randomUUID();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await execute(definition, { args, updateId });
    } catch (error) {
      if (attempt < UPDATE_ATTEMPTS && (isRpcTimeout(error) || unprocessedByWorker(error))) continue;
      throw asUserError(await explainEnded(handle, 'session', error));
    }
  }
}

function isRpcTimeout(error: unknown): boolean {
  return error instanceof WorkflowUpdateRPCTimeoutOrCancelledError;
}

/**
 * The server's rejection of an update whose workflow task ended without the worker answering it (a
 * worker that was shutting down or evicted the run took that task). Nothing of it reached the
 * history, so asking again is safe; the server names no failure type for it, only this message.
 */
function unprocessedByWorker(error: unknown): boolean {
  return (
    error instanceof WorkflowUpdateFailedError &&
    error.cause instanceof Error &&
    error.cause.message.includes("wasn't processed by worker")
  );
}

/** A rejected or failed update becomes one readable error; anything else passes through. */
export function asUserError(error: unknown): unknown {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    return new CouncilUserError(error.cause.message, undefined, { cause: error });
  }
  return error;
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
