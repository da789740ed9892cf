import type { Client, WorkflowHandle } from '@temporalio/client';
import type { BudgetView } from '../../common/budget';
import { raiseBudgetSchema, type RaiseBudgetInput } from '../../common/budgetRaise';
import type { ModelSpec } from '../../common/llm';
import type { OrchestrationStrategy, ParticipantRole, ParticipantSpec } from '../../common/participants';
import {
  roundRequestHash,
  sendMessageSchema,
  type ParticipantDetail,
  type ParticipantInfo,
  type ParticipantResponse,
  type RoundResult,
  type SessionConfigInput,
  type SessionView,
  transcriptRequestSchema,
  type TranscriptEntry,
} from '../../common/session';
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
} from '../../common/sessionApi';
import { zodProblem } from '../../common/validation';
import type { sessionWorkflow } from '../../workflows';
import { CouncilUserError } from '../../common/userError';
import { checkCallbacks } from './seedContext';
import {
  checkedRoleChange,
  checkedStrategy,
  nameArgument,
  participantDetailOf,
  requireParticipantSpec,
  updateSession,
} from './sessionCalls';
import { checkedNewRunId } from './runIdRule';
import { executeUpdateWithRetryAs } from './updateRetry';
import {
  existingSession,
  startSessionWorkflow,
  type ParticipantExtras,
  type SendMessageOptions,
  type StartSessionOptions,
} from './sessionStart';
import { watchTokens, type OnToken, type TokenWatch, type WatchTokensOptions } from './tokens';

export { asUserError, succeeded, validSessionConfig } from './sessionCalls';
export type { ParticipantExtras, SendMessageOptions, StartSessionOptions } from './sessionStart';

/**
 * The seed's `MultiParticipantSession` API over a durable session workflow. Every call goes to the
 * workflow, so any process can {@link MultiParticipantSession.attach} to a session by id and go on.
 */
export class MultiParticipantSession {
  /**
   * Rounds this object sent that have not ended: {@link close} waits for them first. Sent as two
   * calls, a round and a close could reach the workflow in either order, and a close taken first
   * refused the round it was sent after.
   */
  private readonly rounds = new Set<Promise<unknown>>();
  /** close() is on its way: a round this object sent meanwhile would be played before the close. */
  private closeAsked = false;

  private constructor(
    private readonly openedClient: Client,
    readonly sessionId: string,
    private readonly openedHandle: WorkflowHandle<typeof sessionWorkflow>,
    private readonly checkOpen: () => void = () => undefined,
  ) {}

  /** The client the session was opened with; refused once what opened it is closed (a Council). */
  get client(): Client {
    this.checkOpen();
    return this.openedClient;
  }

  private get handle(): WorkflowHandle<typeof sessionWorkflow> {
    this.checkOpen();
    return this.openedHandle;
  }

  /**
   * Starts a new session: the seed's `MultiParticipantSession::new(systemPrompt, maxTokens, strategy)`.
   * A bad config is a CouncilUserError naming each issue, and starts nothing (client/api/sessionStart.ts).
   * `checkOpen`, run before each call of the session, refuses it by throwing (a closed Council's).
   */
  static async create(
    client: Client,
    config: SessionConfigInput,
    options: StartSessionOptions = {},
    checkOpen?: () => void,
  ): Promise<MultiParticipantSession> {
    const { sessionId, handle } = await startSessionWorkflow(client, config, options);
    return new MultiParticipantSession(client, sessionId, handle, checkOpen);
  }

  /**
   * Attaches to a session by id (after a crash of this process, say): a closed one too, whose view
   * and transcript read and whose rounds are refused. `checkOpen`, run before each call, refuses it
   * by throwing: a Council's, once it is closed.
   */
  static async attach(
    client: Client,
    sessionId: string,
    checkOpen?: () => void,
  ): Promise<MultiParticipantSession> {
    return new MultiParticipantSession(
      client,
      sessionId,
      await existingSession(client, sessionId),
      checkOpen,
    );
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
    return (await this.sendRound(role, content, options)).responses;
  }

  /**
   * {@link sendMessage}, resolving with the whole round result: besides its responses, `closedEarly`
   * (a quorum or deadline closed the round, and who was late), `budget` and `otherCallsUsage`.
   */
  async sendRound(
    role: 'user' | 'system',
    content: string,
    options: SendMessageOptions = {},
  ): Promise<RoundResult> {
    if (this.closeAsked) {
      throw new CouncilUserError(
        'this session object asked to close the session: a round sent after close() is not sent',
        'send rounds before close(), or start another session',
      );
    }
    const { onToken, updateId, ...rest } = options;
    checkCallbacks({ onToken });
    const request = { role, content, ...rest };
    const parsed = sendMessageSchema.safeParse(request);
    if (!parsed.success) throw new CouncilUserError(`invalid message: ${zodProblem(parsed.error)}`);
    if (updateId !== undefined) checkedNewRunId(updateId, 'updateId');
    const watch = onToken ? this.watchTokens(onToken) : undefined;
    try {
      const id = updateId ?? crypto.randomUUID();
      const round = executeUpdateWithRetryAs(id, this.handle, 'session', sendMessageUpdate, request);
      this.rounds.add(round);
      const result = await round.finally(() => this.rounds.delete(round));
      if (result.requestHash !== undefined && result.requestHash !== roundRequestHash(request)) {
        throw new CouncilUserError(
          `updateId "${id}" is round ${result.round}'s, sent with another message: this one was not sent`,
          'leave updateId out for a new id, or give each round its own',
        );
      }
      return result;
    } finally {
      await watch?.stop();
    }
  }

  /**
   * Follows the text of every participant's model while it streams, for any round of this session
   * (sent from here or elsewhere), until `stop()`. See client/api/tokens.ts and docs/streaming.md.
   */
  watchTokens(onToken: OnToken, options: WatchTokensOptions = {}): TokenWatch {
    return watchTokens(this.client, this.sessionId, onToken, options);
  }

  /** Adds a participant (checked here first, then by the worker's provider policy); resolves with its spec. */
  async addParticipant(
    name: string,
    model: ModelSpec,
    role: ParticipantRole,
    extras: ParticipantExtras = {},
  ): Promise<ParticipantSpec> {
    const spec = { ...extras, name, model, role };
    requireParticipantSpec(spec);
    return updateSession(this.handle, addParticipantUpdate, spec);
  }

  /** {@link addParticipant} with a priority: the `custom` strategy calls the highest first. */
  async addParticipantWithPriority(
    name: string,
    model: ModelSpec,
    role: ParticipantRole,
    priority: number,
    extras: ParticipantExtras = {},
  ): Promise<ParticipantSpec> {
    const spec = { ...extras, name, model, role, priority };
    requireParticipantSpec(spec);
    return updateSession(this.handle, addParticipantUpdate, spec);
  }

  async removeParticipant(name: string): Promise<ParticipantSpec> {
    return updateSession(this.handle, removeParticipantUpdate, nameArgument(name, 'removeParticipant'));
  }

  /**
   * Changes a participant's role (and, if given, its priority) and keeps its history and usage: an
   * observer that becomes a panelist answers from the next round, knowing everything it observed.
   */
  async setParticipantRole(name: string, role: ParticipantRole, priority?: number): Promise<ParticipantSpec> {
    const change = {
      name: nameArgument(name, 'setParticipantRole'),
      role,
      ...(priority !== undefined && { priority }),
    };
    return updateSession(this.handle, setParticipantRoleUpdate, checkedRoleChange(change));
  }

  async setOrchestrationStrategy(strategy: OrchestrationStrategy): Promise<OrchestrationStrategy> {
    return updateSession(this.handle, setStrategyUpdate, checkedStrategy(strategy));
  }

  /** Cancels the participant's call in flight; resolves true when there was one. */
  async skipParticipant(name: string): Promise<boolean> {
    return updateSession(this.handle, skipParticipantUpdate, nameArgument(name, 'skipParticipant'));
  }

  /**
   * Says stop to the round in progress: under `selector` it ends after its current turn (other
   * strategies finish their round). Resolves true when a round was running.
   */
  async stopRound(): Promise<boolean> {
    return updateSession(this.handle, stopRoundUpdate);
  }

  /**
   * Raises the session's budget by or to an amount, in dollars or tokens (exactly one, e.g.
   * `{ byUsd: 0.5 }`): a call an `onExhausted: ask` budget holds goes on once it fits, and a spent
   * budget takes rounds again. Resolves to the budget after the raise.
   */
  async raiseBudget(raise: RaiseBudgetInput): Promise<BudgetView> {
    const parsed = raiseBudgetSchema.safeParse(raise);
    if (!parsed.success) {
      // The schema's message already gives the example.
      throw new CouncilUserError(`invalid budget raise: ${zodProblem(parsed.error)}`);
    }
    return updateSession(this.handle, raiseBudgetUpdate, parsed.data);
  }

  /**
   * Stops the session's budget: no further call is admitted, and a call an `ask` budget holds is
   * refused. Resolves to the budget after it.
   */
  async stopBudget(): Promise<BudgetView> {
    return updateSession(this.handle, stopBudgetUpdate);
  }

  /** Every participant, in order of joining: its spec's fields flat, with usage and history size. */
  async listParticipants(): Promise<ParticipantInfo[]> {
    return (await this.view()).participants.map(({ spec, ...rest }) => ({ ...spec, ...rest }));
  }

  /** One participant (`.name`, `.role`, `.usage`, `.history`, …), or undefined if there is none by that name. */
  async getParticipant(name: string): Promise<ParticipantDetail | undefined> {
    const record = await this.handle.query(participantQuery, nameArgument(name, 'getParticipant'));
    return record ? participantDetailOf(record) : undefined;
  }

  async view(): Promise<SessionView> {
    return this.handle.query(sessionViewQuery);
  }

  async transcript(fromIndex = 0): Promise<TranscriptEntry[]> {
    if (!transcriptRequestSchema.safeParse({ fromIndex }).success) {
      const got = typeof fromIndex === 'number' ? String(fromIndex) : JSON.stringify(fromIndex);
      throw new CouncilUserError(`fromIndex must be a whole number from 0 (an entry's index): got ${got}`);
    }
    return this.handle.query(transcriptQuery, { fromIndex });
  }

  /**
   * Ends the session after any round in progress, those this object sent before first (however
   * they end); the workflow completes.
   */
  async close(): Promise<SessionView> {
    this.closeAsked = true;
    try {
      await Promise.allSettled(this.rounds);
      await updateSession(this.handle, closeSessionUpdate);
    } finally {
      // Closed by now (the session refuses a later round, saying so), or not (the server unreachable, say).
      this.closeAsked = false;
    }
    return this.handle.result();
  }
}
