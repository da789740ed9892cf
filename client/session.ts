import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { sessionBudgetProblems, type BudgetView } from '../common/budget';
import { sessionQuorumProblem } from '../common/quorum';
import { raiseBudgetSchema, type RaiseBudgetInput } from '../common/budgetRaise';
import { DEFAULT_TASK_QUEUE } from '../common/defaults';
import type { ModelSpec } from '../common/llm';
import type {
  OrchestrationStrategy,
  ParticipantRole,
  ParticipantSpec,
  ParticipantSpecInput,
} from '../common/participants';
import {
  sendMessageSchema,
  sessionConfigSchema,
  type ParticipantDetail,
  type ParticipantInfo,
  type ParticipantResponse,
  type SessionConfig,
  type SessionConfigInput,
  type SessionView,
  type TranscriptEntry,
} from '../common/session';
import {
  addParticipantUpdate,
  closeSessionUpdate,
  participantQuery,
  removeParticipantUpdate,
  sendMessageUpdate,
  sessionViewQuery,
  setParticipantRoleUpdate,
  setStrategyUpdate,
  raiseBudgetUpdate,
  skipParticipantUpdate,
  stopBudgetUpdate,
  stopRoundUpdate,
  transcriptQuery,
} from '../common/sessionApi';
import { zodProblem } from '../common/validation';
import type { sessionWorkflow } from '../workflows';
import { explainEnded } from './ended';
import { CouncilUserError } from './errors';
import { sessionMetadata } from './webUi';
import { watchTokens, type OnToken, type TokenWatch, type WatchTokensOptions } from './tokens';

/** How often an update whose request timed out is asked again (under the same id). */
const UPDATE_ATTEMPTS = 5;

/** Options for starting a session workflow. */
export interface StartSessionOptions {
  sessionId?: string;
  taskQueue?: string;
}

/** Options of {@link MultiParticipantSession.sendMessage}. */
export interface SendMessageOptions {
  /** Only these participants answer. */
  participants?: string[];
  /** Called with each participant's text as it streams, until the round ends (client/tokens.ts). */
  onToken?: OnToken;
}

/** Extra settings for a participant beyond name, model and role. */
export type ParticipantExtras = Omit<ParticipantSpecInput, 'name' | 'model' | 'role' | 'priority'>;

/**
 * The seed's `MultiParticipantSession` API over a durable session workflow. Every call goes to the
 * workflow, so any process can {@link MultiParticipantSession.attach} to a session by id and go on.
 */
export class MultiParticipantSession {
  private constructor(
    readonly client: Client,
    readonly sessionId: string,
    private readonly handle: WorkflowHandle<typeof sessionWorkflow>,
  ) {}

  /**
   * Starts a new session: the seed's `MultiParticipantSession::new(systemPrompt, maxTokens, strategy)`.
   * The config is checked here first: a bad one is a CouncilUserError naming each issue, and starts nothing.
   */
  static async create(
    client: Client,
    config: SessionConfigInput,
    options: StartSessionOptions = {},
  ): Promise<MultiParticipantSession> {
    const parsed = validSessionConfig(config);
    const sessionId = options.sessionId ?? `session-${crypto.randomUUID()}`;
    try {
      const handle = await client.workflow.start<typeof sessionWorkflow>('sessionWorkflow', {
        workflowId: sessionId,
        taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
        args: [{ config }],
        ...sessionMetadata(parsed),
      });
      return new MultiParticipantSession(client, sessionId, handle);
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      const hint = 'attach to it with MultiParticipantSession.attach, or pick another sessionId';
      throw new CouncilUserError(`a session with id "${sessionId}" is already running`, hint, {
        cause: error,
      });
    }
  }

  /** Attaches to a running session by id (after a crash of this process, say). */
  static async attach(client: Client, sessionId: string): Promise<MultiParticipantSession> {
    const handle = client.workflow.getHandle<typeof sessionWorkflow>(sessionId);
    try {
      await handle.describe();
    } catch (error) {
      throw new CouncilUserError(`no session with id "${sessionId}"`, 'list sessions with `council list`', {
        cause: error,
      });
    }
    return new MultiParticipantSession(client, sessionId, handle);
  }

  /**
   * Runs one round and returns every participant's response (failed and skipped ones included).
   * The message is checked here first: one the workflow would refuse (empty, too long) is a
   * CouncilUserError, and no update reaches the server, so nothing waits behind it.
   */
  async sendMessage(
    role: 'user' | 'system',
    content: string,
    options: SendMessageOptions = {},
  ): Promise<ParticipantResponse[]> {
    const { onToken, ...rest } = options;
    const request = { role, content, ...rest };
    const parsed = sendMessageSchema.safeParse(request);
    if (!parsed.success) throw new CouncilUserError(`invalid message: ${zodProblem(parsed.error)}`);
    const watch = onToken ? this.watchTokens(onToken) : undefined;
    try {
      return (await this.update(sendMessageUpdate, request)).responses;
    } finally {
      await watch?.stop();
    }
  }

  /**
   * Follows the text of every participant's model while it streams, for any round of this session
   * (sent from here or elsewhere), until `stop()`. See client/tokens.ts and docs/streaming.md.
   */
  watchTokens(onToken: OnToken, options: WatchTokensOptions = {}): TokenWatch {
    return watchTokens(this.client, this.sessionId, onToken, options);
  }

  addParticipant(name: string, model: ModelSpec, role: ParticipantRole, extras: ParticipantExtras = {}) {
    return this.update(addParticipantUpdate, { ...extras, name, model, role });
  }

  addParticipantWithPriority(
    name: string,
    model: ModelSpec,
    role: ParticipantRole,
    priority: number,
    extras: ParticipantExtras = {},
  ): Promise<ParticipantSpec> {
    return this.update(addParticipantUpdate, { ...extras, name, model, role, priority });
  }

  removeParticipant(name: string): Promise<ParticipantSpec> {
    return this.update(removeParticipantUpdate, name);
  }

  /**
   * Changes a participant's role (and, if given, its priority) and keeps its history and usage: an
   * observer that becomes a panelist answers from the next round, knowing everything it observed.
   */
  setParticipantRole(name: string, role: ParticipantRole, priority?: number): Promise<ParticipantSpec> {
    return this.update(setParticipantRoleUpdate, { name, role, ...(priority !== undefined && { priority }) });
  }

  setOrchestrationStrategy(strategy: OrchestrationStrategy): Promise<OrchestrationStrategy> {
    return this.update(setStrategyUpdate, strategy);
  }

  /** Cancels the participant's call in flight; resolves true when there was one. */
  skipParticipant(name: string): Promise<boolean> {
    return this.update(skipParticipantUpdate, name);
  }

  /**
   * Says stop to the round in progress: under `selector` it ends after its current turn (other
   * strategies finish their round). Resolves true when a round was running.
   */
  stopRound(): Promise<boolean> {
    return this.update(stopRoundUpdate);
  }

  /**
   * Raises the session's budget by or to an amount, in dollars or tokens (exactly one, e.g.
   * `{ byUsd: 0.5 }`): a call an `onExhausted: ask` budget holds goes on once it fits, and a spent
   * budget takes rounds again. Resolves to the budget after the raise.
   */
  raiseBudget(raise: RaiseBudgetInput): Promise<BudgetView> {
    const parsed = raiseBudgetSchema.safeParse(raise);
    if (!parsed.success) {
      throw new CouncilUserError(`invalid budget raise: ${zodProblem(parsed.error)}`, 'e.g. { byUsd: 0.5 }');
    }
    return this.update(raiseBudgetUpdate, parsed.data);
  }

  /**
   * Stops the session's budget: no further call is admitted, and a call an `ask` budget holds is
   * refused. Resolves to the budget after it.
   */
  stopBudget(): Promise<BudgetView> {
    return this.update(stopBudgetUpdate);
  }

  /** Every participant, in order of joining: its spec's fields flat, with usage and history size. */
  async listParticipants(): Promise<ParticipantInfo[]> {
    return (await this.view()).participants.map(({ spec, ...rest }) => ({ ...spec, ...rest }));
  }

  /** One participant (`.name`, `.role`, `.usage`, `.history`, …), or undefined if there is none by that name. */
  async getParticipant(name: string): Promise<ParticipantDetail | undefined> {
    const record = await this.handle.query(participantQuery, name);
    if (!record) return undefined;
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

  view(): Promise<SessionView> {
    return this.handle.query(sessionViewQuery);
  }

  transcript(fromIndex = 0): Promise<TranscriptEntry[]> {
    return this.handle.query(transcriptQuery, { fromIndex });
  }

  /** Ends the session after any round in progress; the workflow completes. */
  async close(): Promise<SessionView> {
    await this.update(closeSessionUpdate);
    return this.handle.result();
  }

  /**
   * Runs an update under one id. A server that times the request out (a busy cluster) may still
   * run it: asking again under the same id returns that run's result instead of running it twice.
   */
  private async update<Ret, Args extends unknown[]>(
    definition: UpdateDefinition<Ret, Args>,
    ...args: Args
  ): Promise<Ret> {
    // The overloads split on arity; the definition's own type keeps args and result in step.
    const execute = this.handle.executeUpdate.bind(this.handle) as (
      def: UpdateDefinition<Ret, Args>,
      options: { args: Args; updateId: string },
    ) => Promise<Ret>;
    const updateId = crypto.randomUUID();
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await execute(definition, { args, updateId });
      } catch (error) {
        if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError && attempt < UPDATE_ATTEMPTS) continue;
        throw asUserError(await explainEnded(this.handle, 'session', error));
      }
    }
  }
}

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
