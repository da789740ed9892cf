import { setTimeout as sleep } from 'node:timers/promises';
import {
  isGrpcDeadlineError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  COUNCIL_SCHEMA_VERSION,
  councilContextSchema,
  type CouncilContextInput,
  type CouncilWorkflowResult,
  type ExpertInput,
  type ExpertMessageData,
} from '../common/council';
import {
  councilProgressQuery,
  injectHumanMessageUpdate,
  type CouncilProgress,
  type CouncilStatus,
  type HumanMessageInput,
  type ProgressEvent,
} from '../common/councilApi';
import { DEFAULT_TASK_QUEUE } from '../common/defaults';
import {
  CONTINUATION_SCHEMA_VERSION,
  priorConversationSchema,
  type PriorConversation,
} from '../common/savedConversation';
import { zodProblem } from '../common/validation';
import type { councilWorkflow } from '../workflows';
import {
  createExpertMessage as stampedMessage,
  type ExpertMessageFields,
} from '../workflows/council/messaging';
import { explainEnded } from './ended';
import { CouncilUserError } from './errors';
import {
  rejectApiKey,
  workflowExpert,
  type SeedOnlyContextFields,
  type SeedOnlyExpertFields,
} from './seedContext';
import { asUserError } from './session';
import { shownContexts, type ShownContext } from './shownContext';
import { councilMetadata } from './webUi';
import { watchTokens, type OnToken } from './tokens';

/** The seed's `ExpertMessage`: the stored message with its timestamp as a `Date`. */
export interface ExpertMessage extends Omit<ExpertMessageData, 'timestamp'> {
  timestamp: Date;
}

/**
 * The seed's `ConversationContext`: what one expert was shown (see ./shownContext). `turns` is
 * optional so the seed's own literals still type-check; a result's contexts always have it.
 */
export type ConversationContext = Omit<ShownContext<ExpertMessage>, 'turns'> &
  Partial<Pick<ShownContext<ExpertMessage>, 'turns'>>;

/** An expert as a caller gives it: the workflow's plain-JSON spec plus the seed's client-side fields. */
export type CouncilExpert = ExpertInput & SeedOnlyExpertFields<ExpertMessage, ConversationContext>;

/** The seed's `ExecutionContext`, without an API key: keys live in the worker. */
export type ExecutionContext = Omit<CouncilContextInput, 'activeExperts'> &
  SeedOnlyContextFields & {
    activeExperts: CouncilExpert[];
  };

/** The seed's `ExecutionResult`; `messages` and `conversationContext` only when messaging is on. */
export interface ExecutionResult extends Omit<CouncilWorkflowResult, 'messages' | 'contextRefs'> {
  councilId: string;
  messages?: ExpertMessage[];
  /** What each expert was shown, at its latest turn and at every turn (see ./shownContext). */
  conversationContext?: Record<string, ShownContext<ExpertMessage>>;
}

/** An expert starting, finishing or failing a turn; `seq` is its place in the council's progress log. */
export type ExpertUpdate = Omit<Extract<ProgressEvent, { kind: 'expert' }>, 'at'> & {
  at: Date;
  /** What the expert said this turn (when it is still in the transcript). */
  content?: string;
};
/** Called as an expert starts, finishes or fails a turn. */
export type OnExpertUpdate = (expertId: string, update: ExpertUpdate) => void | Promise<void>;
/** Called as the council's status (or the round it is in) changes. */
export type OnStatusUpdate = (
  status: CouncilStatus,
  /** `until`: while `awaiting-human`, when the wait ends if no person writes. */
  update: { detail: string; seq: number; at: Date; until?: Date },
) => void | Promise<void>;
/** Called when a person's message comes into the council (`sendHumanMessage`), after round `round`. */
export type OnHumanMessage = (
  message: ExpertMessage,
  update: { round: number; seq: number; at: Date },
) => void | Promise<void>;

/** What a caller following a council is told; callbacks run in log order, each awaited. */
export interface CouncilCallbacks {
  onExpertUpdate?: OnExpertUpdate;
  onStatusUpdate?: OnStatusUpdate;
  onHumanMessage?: OnHumanMessage;
  /** Called for every message routed to that expert (messaging on), by expert id. */
  messageHandlers?: Record<string, (message: ExpertMessage) => void | Promise<void>>;
  /** Called with each expert's (and the synthesizer's) text as it streams (client/tokens.ts). */
  onToken?: OnToken;
  /** Resume after this many events of the log (the last `seq` seen + 1); 0 replays from the start. */
  fromEvent?: number;
  pollIntervalMs?: number;
}

/** Where and under which id a council runs. */
export interface CouncilRunOptions {
  councilId?: string;
  taskQueue?: string;
  pollIntervalMs?: number;
  /** Called with each expert's (and the synthesizer's) text as it streams (client/tokens.ts). */
  onToken?: OnToken;
  /**
   * An earlier conversation the council goes on from (e.g. `priorConversationOf(loadConversation(file),
   * file)`): its messages come before round 1, each shown to the experts that may see it.
   */
  continueFrom?: PriorConversation;
}

/** The seed's `createExpertMessage`, stamped with a random id and the current time. */
export function createExpertMessage(...fields: ExpertMessageFields): ExpertMessage {
  const stamp = { id: crypto.randomUUID(), timestamp: new Date().toISOString() };
  return toExpertMessage(stampedMessage(stamp, ...fields));
}

/** Validates the context and starts the council workflow; resolves with its id without waiting. */
export async function startCouncil(
  client: Client,
  context: ExecutionContext,
  options: CouncilRunOptions = {},
): Promise<string> {
  rejectApiKey(context);
  // Handlers are functions and contexts a past run's snapshot: only the plain-JSON spec goes on.
  const activeExperts = context.activeExperts.map(workflowExpert);
  const parsed = councilContextSchema.safeParse({ ...context, activeExperts });
  if (!parsed.success) {
    throw new CouncilUserError(
      `invalid council context: ${zodProblem(parsed.error)}`,
      'fix the fields named',
    );
  }
  const prior = options.continueFrom && priorConversationSchema.safeParse(options.continueFrom);
  if (prior && !prior.success) {
    const hint = 'pass a conversation saved with `council show ID --save FILE`';
    throw new CouncilUserError(`invalid continueFrom: ${zodProblem(prior.error)}`, hint);
  }
  const input = prior
    ? { schemaVersion: CONTINUATION_SCHEMA_VERSION, context: parsed.data, continueFrom: prior.data }
    : { schemaVersion: COUNCIL_SCHEMA_VERSION, context: parsed.data };
  return startCouncilWorkflow(
    client,
    options.councilId ?? `council-${crypto.randomUUID()}`,
    {
      taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
      args: [input],
      ...councilMetadata(parsed.data),
    },
    'pick another councilId, or follow a running one with attachCouncil',
  );
}

/**
 * Starts `councilWorkflow` under `councilId` and resolves with it. An id names one council, for
 * attachCouncil: never a second one after the first has ended, so a taken id is a user error.
 */
export async function startCouncilWorkflow(
  client: Client,
  councilId: string,
  options: Omit<WorkflowStartOptions<typeof councilWorkflow>, 'workflowId' | 'workflowIdReusePolicy'>,
  hint: string,
): Promise<string> {
  try {
    await client.workflow.start<typeof councilWorkflow>('councilWorkflow', {
      ...options,
      workflowId: councilId,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    throw new CouncilUserError(`a council with id "${councilId}" already exists`, hint, { cause: error });
  }
  return councilId;
}

/**
 * The seed's `executeCouncilExperts`, run as a durable workflow. The one deviation from the seed:
 * the Temporal client comes first. Callbacks are driven by the workflow's progress log, so
 * {@link attachCouncil} from another process after a crash sees the same updates.
 */
export async function executeCouncilExperts(
  client: Client,
  context: ExecutionContext,
  onExpertUpdate?: OnExpertUpdate,
  onStatusUpdate?: OnStatusUpdate,
  options: CouncilRunOptions = {},
): Promise<ExecutionResult> {
  const messageHandlers = Object.fromEntries(
    context.activeExperts.flatMap((e) => (e.messageHandler ? [[e.id, e.messageHandler] as const] : [])),
  );
  const councilId = await startCouncil(client, context, options);
  const { pollIntervalMs, onToken } = options;
  return attachCouncil(client, councilId, {
    onExpertUpdate,
    onStatusUpdate,
    messageHandlers,
    pollIntervalMs,
    ...(onToken ? { onToken } : {}),
  });
}

/** Follows a council by id, from `fromEvent` on, and resolves with its result once it completes. */
export async function attachCouncil(
  client: Client,
  councilId: string,
  callbacks: CouncilCallbacks = {},
): Promise<ExecutionResult> {
  const handle = client.workflow.getHandle<typeof councilWorkflow>(councilId);
  let closed = false;
  const result = handle.result().finally(() => (closed = true));
  // Keep a failure for the await below, not an unhandled rejection while polling.
  result.catch(() => undefined);
  let next = Math.max(0, callbacks.fromEvent ?? 0);
  const tokens = callbacks.onToken ? watchTokens(client, councilId, callbacks.onToken) : undefined;
  try {
    for (;;) {
      // A page read after the workflow closed holds every event: nothing can follow it.
      const closedBefore = closed;
      const page = await readProgress(handle, next, result);
      await deliver(page, callbacks);
      next = page.nextEvent;
      if (next < page.totalEvents) continue;
      if (page.done || closedBefore) break;
      await sleep(callbacks.pollIntervalMs ?? 200);
    }
  } finally {
    await tokens?.stop();
  }
  return toExecutionResult(councilId, await result.catch(throwUserError));
}

/** Adds a person's message to a running council, for every expert or for one (`recipient`). */
export async function sendHumanMessage(
  client: Client,
  councilId: string,
  message: HumanMessageInput,
): Promise<ExpertMessage> {
  const handle = client.workflow.getHandle<typeof councilWorkflow>(councilId);
  try {
    return toExpertMessage(await handle.executeUpdate(injectHumanMessageUpdate, { args: [message] }));
  } catch (error) {
    throw asUserError(await explainEnded(handle, 'council', error));
  }
}

/**
 * Consecutive query timeouts a follower waits through before it gives up. Each is already four
 * attempts, about 65 s in all (client/queryRetry.ts).
 */
const MAX_QUERY_TIMEOUTS = 10;

async function readProgress(
  handle: WorkflowHandle<typeof councilWorkflow>,
  fromEvent: number,
  result: Promise<unknown>,
): Promise<CouncilProgress> {
  for (let timeouts = 1; ; timeouts += 1) {
    try {
      return await queryProgress(handle, fromEvent, result);
    } catch (error) {
      // A worker busy with a large activation can miss a query's deadline: the council goes on, and
      // so does whoever follows it.
      if (!isGrpcDeadlineError(error) || timeouts >= MAX_QUERY_TIMEOUTS) throw error;
    }
  }
}

async function queryProgress(
  handle: WorkflowHandle<typeof councilWorkflow>,
  fromEvent: number,
  result: Promise<unknown>,
): Promise<CouncilProgress> {
  try {
    return await handle.query(councilProgressQuery, { fromEvent });
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      const hint = 'list councils with `council list`';
      throw new CouncilUserError(`no council with id "${handle.workflowId}"`, hint, { cause: error });
    }
    // A council that failed before registering its query (bad input) explains itself in its result.
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') await result.catch(throwUserError);
    throw error;
  }
}

async function deliver(page: CouncilProgress, callbacks: CouncilCallbacks): Promise<void> {
  const byId = new Map(page.messages.map((message) => [message.id, message]));
  for (const event of page.events) {
    if (event.kind === 'status') {
      const at = new Date(event.at);
      const until = event.until !== undefined ? { until: new Date(event.until) } : {};
      await callbacks.onStatusUpdate?.(event.status, { detail: event.detail, seq: event.seq, at, ...until });
    } else if (event.kind === 'expert') {
      const content = event.messageId !== undefined ? byId.get(event.messageId)?.content : undefined;
      const full: ExpertUpdate = {
        ...event,
        at: new Date(event.at),
        ...(content !== undefined && { content }),
      };
      await callbacks.onExpertUpdate?.(event.expertId, full);
    } else if (event.kind === 'human') {
      const message = byId.get(event.messageId);
      const update = { round: event.round, seq: event.seq, at: new Date(event.at) };
      if (message) await callbacks.onHumanMessage?.(toExpertMessage(message), update);
    } else {
      const message = byId.get(event.messageId);
      if (!message) continue;
      for (const id of event.deliveredTo) await callbacks.messageHandlers?.[id]?.(toExpertMessage(message));
    }
  }
}

function throwUserError(error: unknown): never {
  if (error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure) {
    throw new CouncilUserError(error.cause.message, undefined, { cause: error });
  }
  throw error;
}

function toExpertMessage(message: ExpertMessageData): ExpertMessage {
  return { ...message, timestamp: new Date(message.timestamp) };
}

function toExecutionResult(councilId: string, data: CouncilWorkflowResult): ExecutionResult {
  const { messages, contextRefs, ...rest } = data;
  if (!messages || !contextRefs) return { councilId, ...rest };
  const conversationContext = shownContexts(
    { outputs: data.outputs, messages },
    contextRefs,
    toExpertMessage,
  );
  return { councilId, ...rest, messages: messages.map(toExpertMessage), conversationContext };
}
