import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
  type WorkflowUpdateHandle,
} from '@temporalio/client';
import { DEFAULT_TASK_QUEUE } from '../../common/defaults';
import { sendMessageSchema, type RoundResult, type SessionConfigInput } from '../../common/session';
import { closeSessionUpdate, sendMessageUpdate } from '../../common/sessionApi';
import { zodProblem } from '../../common/validation';
import type { sessionWorkflow } from '../../workflows';
import { CouncilUserError, RunNotFoundError, SessionIdTakenError } from '../../common/userError';
import { STRATEGIES } from '../../workflows/strategies';
import { checkParticipants } from '../../workflows/strategies/roles';
import { checkedNewRunId } from './runIdRule';
import { validSessionConfig } from './sessionCalls';
import { clip, sessionMetadata } from './webUi';
import { QUESTION_MEMO_KEY } from './runRow';

/** Characters of a question an error quotes. */
const QUOTED_CHARS = 80;

/** Id of the update that carries a one-question session's question, so any process can wait on that round. */
export const FIRST_ROUND_UPDATE_ID = 'council-run-round';

/** Where a one-question session runs, and what it keeps besides its config. */
export interface OneRoundSessionOptions {
  sessionId: string;
  taskQueue?: string;
  /** Kept with the workflow (the CLI records its question there, for `attach`). */
  memo?: Record<string, unknown>;
}

/** A one-question session and the update handle of its round. */
export interface OneRoundSession {
  handle: WorkflowHandle<typeof sessionWorkflow>;
  round: WorkflowUpdateHandle<RoundResult>;
}

export { SessionIdTakenError };

/**
 * Starts a session that asks one question and closes itself after that round, in one call
 * (update-with-start) under {@link FIRST_ROUND_UPDATE_ID}: a caller killed right after starting it
 * leaves a session that still has its round, and still ends. Config and question are checked first.
 */
export async function startOneRoundSession(
  client: Client,
  config: SessionConfigInput,
  question: string,
  options: OneRoundSessionOptions,
): Promise<OneRoundSession> {
  checkedNewRunId(options.sessionId, 'sessionId', { required: true });
  const parsed = validSessionConfig(config);
  // Participants cannot join a session that closes after its first round: that round must be playable.
  const unplayable = checkParticipants(STRATEGIES[parsed.strategy], parsed.participants, parsed);
  if (unplayable) {
    throw new CouncilUserError(`invalid session config: ${unplayable}`, 'fix the participants named');
  }
  const message = { role: 'user' as const, content: question };
  const checked = sendMessageSchema.safeParse(message);
  if (!checked.success) throw new CouncilUserError(`invalid question: ${zodProblem(checked.error)}`);
  const operation = new WithStartWorkflowOperation<typeof sessionWorkflow>('sessionWorkflow', {
    workflowId: options.sessionId,
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    args: [{ config, closeAfterFirstRound: true }],
    workflowIdConflictPolicy: 'FAIL',
    memo: { ...options.memo, [QUESTION_MEMO_KEY]: question },
    ...sessionMetadata(parsed, question),
  });
  // Update-with-start on the id of a closed session hands back that session's round (the same
  // update id) whatever the id reuse policy: an id already used is refused before anything is sent.
  if (await exists(client, options.sessionId)) throw taken(options.sessionId);
  try {
    const round = await client.workflow.startUpdateWithStart(sendMessageUpdate, {
      args: [message],
      updateId: FIRST_ROUND_UPDATE_ID,
      waitForStage: 'ACCEPTED',
      startWorkflowOperation: operation,
    });
    return { handle: await operation.workflowHandle(), round };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) throw taken(options.sessionId, error);
    throw error;
  }
}

/**
 * The round of a one-question session started earlier, by any process: the session and the update
 * handle of its round, for a caller that lost its own (killed after {@link startOneRoundSession}).
 * While the session runs, `question` is sent again under {@link FIRST_ROUND_UPDATE_ID}: the server
 * hands back the round if the first send arrived, and takes the question if a crash beat it there.
 * Once the session has closed, the handle reads the round it recorded.
 */
export async function resumeOneRoundSession(
  client: Client,
  sessionId: string,
  question: string,
): Promise<OneRoundSession> {
  const handle = client.workflow.getHandle<typeof sessionWorkflow>(sessionId);
  const { status, memo } = await handle.describe().catch((error: unknown) => {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    throw new RunNotFoundError('session', sessionId, 'see `council list`', { cause: error });
  });
  // The server hands back the round under the same update id whatever is sent: another question
  // would get the first one's answers, unsaid.
  const asked = memo?.[QUESTION_MEMO_KEY];
  if (typeof asked === 'string' && asked !== question) {
    throw new CouncilUserError(
      `session ${sessionId} was asked ${JSON.stringify(clip(asked, QUOTED_CHARS))}, not ${JSON.stringify(clip(question, QUOTED_CHARS))}`,
      'resume it with the question it was started with, or start a new session for this one',
    );
  }
  if (status.name !== 'RUNNING') {
    return { handle, round: handle.getUpdateHandle<RoundResult>(FIRST_ROUND_UPDATE_ID) };
  }
  const round = await handle.startUpdate(sendMessageUpdate, {
    args: [{ role: 'user', content: question }],
    updateId: FIRST_ROUND_UPDATE_ID,
    waitForStage: 'ACCEPTED',
  });
  return { handle, round };
}

/**
 * Waits for a one-question session to close after its round, so it is listed as closed. A session
 * started by an older client, whose workflow does not close itself, is closed here.
 */
export async function closeOneRoundSession(handle: WorkflowHandle<typeof sessionWorkflow>): Promise<void> {
  if ((await handle.describe()).status.name !== 'RUNNING') return;
  await handle.executeUpdate(closeSessionUpdate).catch((error: unknown) => {
    // It closed itself between the two calls.
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  });
  await handle.result();
}

async function exists(client: Client, workflowId: string): Promise<boolean> {
  return client.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      () => true,
      (error: unknown) => (error instanceof WorkflowNotFoundError ? false : Promise.reject(error)),
    );
}

function taken(sessionId: string, cause?: unknown): SessionIdTakenError {
  return new SessionIdTakenError(
    `a session or council with id "${sessionId}" already exists`,
    'pick another id',
    {
      cause,
    },
  );
}
