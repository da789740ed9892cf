import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { z } from 'zod';
import { zodProblem } from '../../common/validation';
import { kindMismatch } from './runs';
import { DEFAULT_TASK_QUEUE } from '../../common/defaults';
import type { ParticipantSpecInput } from '../../common/participants';
import type { SessionConfigInput } from '../../common/session';
import type { sessionWorkflow } from '../../workflows';
import { CouncilUserError, RunNotFoundError, SessionIdTakenError } from '../../common/userError';
import { checkedNewRunId, lookupIdProblem } from './runIdRule';
import { validSessionConfig } from './sessionCalls';
import type { OnToken } from './tokens';
import { sessionMetadata } from './webUi';

/** Options for starting a session workflow. */
export interface StartSessionOptions {
  sessionId?: string;
  taskQueue?: string;
}

/**
 * The options' shape, for a caller without a type check: a misspelt `sessionID` started the session
 * under a generated id. Other keys pass: a typed caller may hand over a wider object (the CLI's, a
 * one-round session's with its memo). The id's own rules are checkedNewRunId's.
 */
const startSessionOptionsSchema = z
  .looseObject({ sessionId: z.unknown(), taskQueue: z.string().min(1, 'taskQueue is empty: name a queue') })
  .partial()
  .superRefine((options, ctx) => {
    for (const key of Object.keys(options)) {
      const meant = ['sessionId', 'taskQueue'].find(
        (known) => known !== key && known.toLowerCase() === key.toLowerCase(),
      );
      if (meant) ctx.addIssue({ code: 'custom', path: [key], message: `is spelt "${meant}"` });
    }
  });

/** Options of `MultiParticipantSession.sendMessage`. */
export interface SendMessageOptions {
  /** Only these participants answer. */
  participants?: string[];
  /** Called with each participant's text as it streams, until the round ends (client/api/tokens.ts). */
  onToken?: OnToken;
  /**
   * The id of the round's update, e.g. to follow this round alone with `watchSessionRound` (its
   * `updateId`) while others send too; a new UUID when left out.
   */
  updateId?: string;
}

/** Extra settings for a participant beyond name, model and role. */
export type ParticipantExtras = Omit<ParticipantSpecInput, 'name' | 'model' | 'role' | 'priority'>;

/** A started session's id and handle. */
export interface StartedSession {
  sessionId: string;
  handle: WorkflowHandle<typeof sessionWorkflow>;
}

/**
 * Starts a session workflow. The config is checked here first: a bad one is a CouncilUserError
 * naming each issue, and starts nothing; an id in use is one too, saying how to go on.
 */
export async function startSessionWorkflow(
  client: Client,
  config: SessionConfigInput,
  options: StartSessionOptions,
): Promise<StartedSession> {
  const checked = startSessionOptionsSchema.safeParse(options);
  if (!checked.success) {
    throw new CouncilUserError(
      `invalid session options: ${zodProblem(checked.error)}`,
      'fix the options named',
    );
  }
  const parsed = validSessionConfig(config);
  const sessionId =
    options.sessionId !== undefined
      ? checkedNewRunId(options.sessionId, 'sessionId')
      : `session-${crypto.randomUUID()}`;
  try {
    const handle = await client.workflow.start<typeof sessionWorkflow>('sessionWorkflow', {
      workflowId: sessionId,
      taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
      args: [{ config }],
      // An id names one session: a new one under a closed session's id would hide it from attach and show.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      ...sessionMetadata(parsed),
    });
    return { sessionId, handle };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    const hint = 'attach to it with MultiParticipantSession.attach if it runs, or pick another sessionId';
    throw new SessionIdTakenError(`a session or council with id "${sessionId}" already exists`, hint, {
      cause: error,
    });
  }
}

/** The handle of a session that exists, or a CouncilUserError saying there is none by that id. */
export async function existingSession(
  client: Client,
  sessionId: string,
): Promise<WorkflowHandle<typeof sessionWorkflow>> {
  const problem = lookupIdProblem(sessionId);
  if (problem) throw new CouncilUserError(problem, 'list sessions with `council list`');
  const handle = client.workflow.getHandle<typeof sessionWorkflow>(sessionId);
  let type: string;
  try {
    type = (await handle.describe()).type;
  } catch (error) {
    // Only a missing workflow is "no session": an unreachable server says so itself.
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    throw new RunNotFoundError('session', sessionId, 'list sessions with `council list`', {
      cause: error,
    });
  }
  const mismatch = kindMismatch(sessionId, type, 'session');
  if (mismatch) throw mismatch;
  return handle;
}
