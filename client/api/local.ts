import { Client, type Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE } from '../../common/defaults';
import type { ConversationMessage, MessageFilter } from '../../common/conversation';
import type { ConversationStats } from '../../common/conversationStats';
import type { SavedConversation } from '../../common/savedConversation';
import type { SessionConfigInput } from '../../common/session';
import { queryRetryInterceptor } from '../runtime/queryRetry';
import { abortableOnClose, CouncilClosedError } from './closableCalls';
import { executeCouncilExperts, type CouncilRunOptions } from './council';
import { attachCouncil } from './councilAttach';
import {
  type CouncilCallbacks,
  type ExecutionContext,
  type ExecutionResult,
  type OnExpertUpdate,
  type OnStatusUpdate,
} from './councilTypes';
import { councilMessages, councilStats } from './conversation';
import { saveConversation } from './conversationFile';
import { openLocalRuntime, type LocalCouncilOptions, type LocalRuntime } from '../runtime/embedded';
import { MultiParticipantSession, type StartSessionOptions } from './session';
import { CouncilUserError } from '../../common/userError';
import { zodProblem } from '../../common/validation';
import { z } from 'zod';

/** Options of {@link Council.connect}: a cluster that your own workers (or `council worker`) serve. */
export interface ConnectCouncilOptions {
  connection: Connection;
  namespace?: string;
  /** The queue council's workers poll (default "council"). */
  taskQueue?: string;
  /** The converter council's workers use (e.g. `blobStoreFromEnv(process.env).dataConverter`). */
  dataConverter?: DataConverter;
}

/** {@link ConnectCouncilOptions} checked as they come, from JavaScript too, as Council.local's are. */
const connectOptionsSchema = z
  .object({
    connection: z.custom<Connection>((value) => typeof value === 'object' && value !== null, {
      message: 'connection must be a Connection, e.g. await Connection.connect({ address })',
    }),
    namespace: z.string().min(1, 'namespace is empty: name one, or leave it out for "default"').optional(),
    taskQueue: z
      .string()
      .min(1, 'taskQueue is empty: name a queue, or leave it out for "council"')
      .optional(),
    dataConverter: z.custom<DataConverter>((value) => typeof value === 'object' && value !== null).optional(),
  })
  .strict();

/**
 * A council client: sessions and councils on one Temporal target and task queue. {@link Council.local}
 * brings its own dev server and worker; {@link Council.connect} uses a cluster. Everything after that one
 * call is the same code. Close it (`await council.close()`, or `await using council = ...`).
 */
export class Council implements AsyncDisposable {
  private closing: Promise<void> | undefined;

  private constructor(
    readonly client: Client,
    readonly taskQueue: string,
    private readonly release: () => Promise<void>,
    /** Fails a call that waits on a workflow's result once the embedded server is lost (serverLoss.ts). */
    private readonly guard: LocalRuntime['guard'] = (call) => call(),
  ) {}

  /**
   * An embedded Temporal dev server (the data directory's running one, e.g. `council server`'s, if any)
   * and a worker in this process. Sessions survive a restart: open the same `dataDir` again.
   */
  static async local(options: LocalCouncilOptions = {}): Promise<Council> {
    const { client, taskQueue, release, guard } = await openLocalRuntime(options);
    return new Council(client, taskQueue, release, guard);
  }

  /**
   * A cluster (or any server) whose workers poll `taskQueue`. Closing ends this Council's calls in
   * flight (their runs go on) and leaves `connection` open.
   */
  static connect(given: ConnectCouncilOptions): Council {
    const checked = connectOptionsSchema.safeParse(given);
    if (!checked.success) {
      throw new CouncilUserError(`invalid Council.connect() options: ${zodProblem(checked.error)}`);
    }
    const options = checked.data;
    const closed = new AbortController();
    const client = new Client({
      connection: abortableOnClose(options.connection, closed.signal),
      namespace: options.namespace ?? DEFAULT_NAMESPACE,
      interceptors: { workflow: [queryRetryInterceptor(options.connection)] },
      ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    });
    // Its calls in flight end with the close; the connection stays open, the caller's to close.
    return new Council(client, options.taskQueue ?? DEFAULT_TASK_QUEUE, async () => closed.abort());
  }

  /**
   * The client, unless this Council is closed: its connection is gone then, and a call on it failed
   * with the SDK's raw "Unexpected error while making gRPC request", or retried for minutes.
   */
  private get openClient(): Client {
    if (this.closing) throw new CouncilClosedError();
    return this.client;
  }

  /** For this Council's sessions: throws, as {@link openClient} does, once it is closed. */
  private readonly refuseWhenClosed = (): void => void this.openClient;

  /** `call` on the open client, failing with the server's loss once it is lost (see {@link guard}). */
  private guarded<T>(call: (client: Client) => Promise<T>): Promise<T> {
    const client = this.openClient;
    return this.guard(() => call(client));
  }

  /**
   * This Council's queue, for a run started through it: another queue given by a caller without a type
   * check is refused, as no worker of this Council may poll it (the run would wait there unseen).
   */
  private ownQueue(options: unknown, method: string): string {
    if (typeof options !== 'object' || Array.isArray(options)) {
      const is = Array.isArray(options) ? 'a list' : typeof options;
      throw new CouncilUserError(
        `${method}'s options must be an object, and are ${is}`,
        'pass { … } or leave them out',
      );
    }
    const given = options !== null && 'taskQueue' in options ? options.taskQueue : undefined;
    if (given === undefined || given === this.taskQueue) return this.taskQueue;
    throw new CouncilUserError(
      `${method} runs on this Council's task queue "${this.taskQueue}", not ${JSON.stringify(given)}`,
      'leave taskQueue out, or open a Council on that queue: Council.connect({ connection, taskQueue })',
    );
  }

  /**
   * Starts a session on this council's queue (see {@link MultiParticipantSession.create}); its calls
   * are refused, as this Council's are, once it is closed.
   */
  async startSession(
    config: SessionConfigInput,
    options: Omit<StartSessionOptions, 'taskQueue'> = {},
  ): Promise<MultiParticipantSession> {
    const queued = { ...options, taskQueue: this.ownQueue(options, 'startSession') };
    return MultiParticipantSession.create(this.openClient, config, queued, this.refuseWhenClosed);
  }

  /**
   * A session by id, running or closed (a closed one's view and transcript read; its rounds are
   * refused); its calls are refused, as this Council's are, once this Council is closed.
   */
  async attachSession(sessionId: string): Promise<MultiParticipantSession> {
    return MultiParticipantSession.attach(this.openClient, sessionId, this.refuseWhenClosed);
  }

  /**
   * Runs a council to its end on this council's queue (see {@link executeCouncilExperts}), with the
   * same options but the queue: an id, a conversation to go on from, `onToken`, the poll interval.
   */
  async executeCouncilExperts(
    context: ExecutionContext,
    onExpertUpdate?: OnExpertUpdate,
    onStatusUpdate?: OnStatusUpdate,
    options: Omit<CouncilRunOptions, 'taskQueue'> = {},
  ): Promise<ExecutionResult> {
    const runOptions = { ...options, taskQueue: this.ownQueue(options, 'executeCouncilExperts') };
    return this.guarded((client) =>
      executeCouncilExperts(client, context, onExpertUpdate, onStatusUpdate, runOptions),
    );
  }

  /** Follows a council by id to its result (see {@link attachCouncil}). */
  async attachCouncil(councilId: string, callbacks: CouncilCallbacks = {}): Promise<ExecutionResult> {
    return this.guarded((client) => attachCouncil(client, councilId, callbacks));
  }

  /** A council's messages, each with its round, that `filter` keeps (by type, sender, recipient, round). */
  async councilMessages(councilId: string, filter: MessageFilter = {}): Promise<ConversationMessage[]> {
    return this.guarded((client) => councilMessages(client, councilId, filter));
  }

  /** A council's communication patterns (messages per expert and type, who answers whom, rounds). */
  async councilStats(councilId: string): Promise<ConversationStats> {
    return this.guarded((client) => councilStats(client, councilId));
  }

  /** Saves a council's conversation to a JSON file a later council can go on from (`continueFrom`). */
  async saveConversation(
    councilId: string,
    file: string,
    filter: MessageFilter = {},
  ): Promise<SavedConversation> {
    return this.guarded((client) => saveConversation(client, councilId, file, filter));
  }

  /**
   * Stops the worker (calls in flight get 2 s), then closes the connections and the dev server this
   * call started. Running sessions stay in Temporal and go on when a worker serves them again.
   */
  close(): Promise<void> {
    this.closing ??= this.release();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
