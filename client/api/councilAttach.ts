import { setTimeout as sleep } from 'node:timers/promises';
import {
  isGrpcDeadlineError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { CouncilWorkflowResult } from '../../common/council';
import { councilProgressQuery, type CouncilProgress } from '../../common/councilApi';
import type { councilWorkflow } from '../../workflows';
import {
  toExpertMessage,
  type CouncilCallbacks,
  type ExecutionResult,
  type ExpertUpdate,
} from './councilTypes';
import { CouncilUserError } from '../../common/userError';
import { shownContexts } from './shownContext';
import { watchTokens } from './tokens';

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
      if (page.firstEvent > next) {
        await callbacks.onEventsDropped?.({ fromEvent: next, firstEvent: page.firstEvent });
      }
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

/**
 * Consecutive query timeouts a follower waits through before it gives up. Each is already four
 * attempts, about 65 s in all (client/runtime/queryRetry.ts).
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
