import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import type { CouncilWorkflowResult, ExpertMessageData } from '../../common/council';
import type { ProgressEvent } from '../../common/councilApi';
import type { councilWorkflow } from '../../workflows';
import {
  toExpertMessage,
  type CouncilCallbacks,
  type ExecutionResult,
  type ExpertUpdate,
} from './councilTypes';
import { checkPollInterval } from './seedContext';
import { CouncilUserError } from '../../common/userError';
import { CouncilClosedError } from './closableCalls';
import { COUNCIL_CLOSED, followRun } from './followRun';
import { refuseOtherKind } from './runs';
import { shownContexts } from './shownContext';
import { watchTokens } from './tokens';

/** Follows a council by id, from `fromEvent` on, and resolves with its result once it completes. */
export async function attachCouncil(
  client: Client,
  councilId: string,
  callbacks: CouncilCallbacks = {},
): Promise<ExecutionResult> {
  checkPollInterval(callbacks.pollIntervalMs);
  await refuseOtherKind(client, councilId, 'council');
  const handle = client.workflow.getHandle<typeof councilWorkflow>(councilId);
  const tokens = callbacks.onToken ? watchTokens(client, councilId, callbacks.onToken) : undefined;
  try {
    const log = followRun(handle, {
      kind: 'council',
      fromEvent: callbacks.fromEvent ?? 0,
      pollMs: callbacks.pollIntervalMs ?? 200,
      ...(callbacks.onEventsDropped && { onEventsDropped: callbacks.onEventsDropped }),
    });
    let read = await log.next();
    for (; !read.done; read = await log.next()) {
      if (read.value.kind === 'council') {
        await deliver(read.value.event, read.value.message, callbacks, callerOf(councilId));
      }
    }
    if (read.value.reason === 'unreachable' && read.value.error === COUNCIL_CLOSED) {
      const hint = `the council goes on: attachCouncil(client, "${councilId}") follows it again`;
      throw new CouncilClosedError(`this Council was closed while it followed council "${councilId}"`, hint);
    }
    if (read.value.reason === 'unreachable') {
      const hint = `is the Temporal server up? \`council attach ${councilId}\` follows it again`;
      throw new CouncilUserError(`lost council "${councilId}": ${read.value.error}`, hint);
    }
  } finally {
    await tokens?.stop();
  }
  // A council that failed before its log could be read (bad input) explains itself in its result.
  return toExecutionResult(
    councilId,
    await handle.result().catch((error: unknown) => throwUserError(councilId, error)),
  );
}

/** Runs one of the caller's callbacks, by its name; a callback left out is not called. */
type CallbackCaller = (name: string, callback: (() => unknown) | undefined) => Promise<void>;

/**
 * What a caller's callback throws ends the following, in council's words with the callback's error as
 * its cause, naming the council to follow again: the council goes on without anyone following it.
 */
function callerOf(councilId: string): CallbackCaller {
  return async (name, callback) => {
    try {
      await callback?.();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new CouncilUserError(
        `${name} threw while following council ${councilId}: ${reason}`,
        `the council goes on: follow it again with attachCouncil(client, "${councilId}"), or \`council attach ${councilId}\``,
        { cause: error },
      );
    }
  };
}

async function deliver(
  event: ProgressEvent,
  message: ExpertMessageData | undefined,
  callbacks: CouncilCallbacks,
  call: CallbackCaller,
): Promise<void> {
  if (event.kind === 'status') {
    const at = new Date(event.at);
    const until = event.until !== undefined ? { until: new Date(event.until) } : {};
    const synthesizer = event.synthesizer !== undefined ? { synthesizer: event.synthesizer } : {};
    const update = { detail: event.detail, seq: event.seq, at, ...until, ...synthesizer };
    const { onStatusUpdate } = callbacks;
    await call('onStatusUpdate', onStatusUpdate && (() => onStatusUpdate(event.status, update)));
  } else if (event.kind === 'expert') {
    const full: ExpertUpdate = {
      ...event,
      at: new Date(event.at),
      ...(message !== undefined && { content: message.content, message: toExpertMessage(message) }),
    };
    const { onExpertUpdate } = callbacks;
    await call('onExpertUpdate', onExpertUpdate && (() => onExpertUpdate(event.expertId, full)));
  } else if (event.kind === 'human') {
    const update = { round: event.round, seq: event.seq, at: new Date(event.at) };
    const { onHumanMessage } = callbacks;
    if (message)
      await call(
        'onHumanMessage',
        onHumanMessage && (() => onHumanMessage(toExpertMessage(message), update)),
      );
  } else if (message) {
    for (const id of event.deliveredTo) {
      const handler = callbacks.messageHandlers?.[id];
      await call(`the messageHandler of ${id}`, handler && (() => handler(toExpertMessage(message))));
    }
  }
}

/** A council that ended without a result, as its reader is told: what ended it, and where its messages are. */
export function throwUserError(councilId: string, error: unknown): never {
  if (!(error instanceof WorkflowFailedError)) throw error;
  const { cause } = error;
  if (cause instanceof ApplicationFailure)
    throw new CouncilUserError(cause.message, undefined, { cause: error });
  const ended =
    cause instanceof CancelledFailure
      ? 'was cancelled'
      : cause instanceof TerminatedFailure
        ? 'was terminated'
        : cause instanceof TimeoutFailure
          ? 'timed out'
          : undefined;
  if (!ended) throw error;
  const hint = `its messages so far: council show ${councilId}`;
  throw new CouncilUserError(`council ${councilId} ${ended} before its synthesis`, hint, { cause: error });
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
