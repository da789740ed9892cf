import type { WorkflowService } from '@temporalio/client';
import type { LoadedDataConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { LIMITS } from '../../common/defaults';
import { STREAM_LIMITS, streamDetailsSchema, type StreamDetails } from '../../common/stream';
import { startPollWatch, type PollWatch } from './pollWatch';

type PendingActivity = temporal.api.workflow.v1.IPendingActivityInfo;

/** Text a participant's model has streamed since the last event, and all of it the watcher knows. */
export interface TokenEvent {
  /** Who is answering, as the call's id names them: a session participant, a council expert's id, the synthesizer. */
  participant: string;
  /** The model call (its activity id, e.g. `r1.answer.Expert-2`): one per participant per round and phase. */
  callId: string;
  /** The attempt streaming; a retry starts the text over (`restarted`). */
  attempt: number;
  /** The new text, in order after the previous event's. */
  delta: string;
  /** The text so far, from character `offset` of the answer (its start unless the watcher missed some). */
  text: string;
  offset: number;
  /** True on the first event of a retried attempt: the text starts again from nothing. */
  restarted: boolean;
  /** True when characters were missed before `delta` (attached late, or fell behind by more than the heartbeat's tail). */
  gap: boolean;
  /** True on this watcher's first event of the call: what it shows of the call starts here. */
  first: boolean;
}

/** What a watcher reads through: a `Client`, or a workflow handle's `client`. */
export interface TokenSource {
  readonly workflowService: WorkflowService;
  readonly options: { namespace: string; loadedDataConverter: LoadedDataConverter };
}

/** Called for every piece of streamed text; an error it throws ends the watch (see {@link TokenWatch.stop}). */
export type OnToken = (event: TokenEvent) => void;

/** A running watch; `stop` ends it and rethrows an error of the callback, if it threw one. */
export type TokenWatch = PollWatch;

export interface WatchTokensOptions {
  /** How often the workflow's pending calls are read; STREAM_LIMITS.pollMs by default. */
  pollMs?: number;
  /** Names the participant part of a call id may be, to tell `r1.answer.A.2` (A's second call) from a participant "A.2". */
  knownNames?: () => Iterable<string>;
}

/** What is known of one call. */
interface CallText {
  attempt: number;
  offset: number;
  text: string;
}

/**
 * Follows the text of every model call of a workflow while it streams. Each poll is one
 * DescribeWorkflowExecution: a pending call's last heartbeat carries the latest text and its offset
 * (activities/progress.ts), and the difference with what was seen is handed to `onToken`. Nothing is
 * added to the workflow's history, and any number of watchers may read, from any process, against
 * any worker: the server holds the heartbeat. Poll errors (a server restarting) are waited through.
 */
export function watchTokens(
  client: TokenSource,
  workflowId: string,
  onToken: OnToken,
  options: WatchTokensOptions = {},
): TokenWatch {
  const calls = new Map<string, CallText>();
  const pollMs = options.pollMs ?? STREAM_LIMITS.pollMs;
  return startPollWatch(async (delivery) => {
    const { pendingActivities } = await client.workflowService.describeWorkflowExecution({
      namespace: client.options.namespace,
      execution: { workflowId },
    });
    const seen = new Set<string>();
    for (const activity of pendingActivities ?? []) {
      const callId = activity.activityId ?? '';
      seen.add(callId);
      const details = await detailsOf(client, workflowId, activity);
      const event = details && advance(calls, callId, details, options.knownNames?.());
      if (event) delivery.deliver(() => onToken(event));
    }
    // A call that ended leaves the pending list; its answer arrives by the usual path.
    for (const callId of calls.keys()) if (!seen.has(callId)) calls.delete(callId);
  }, pollMs);
}

/** The stream details of a pending call, as the current attempt left them; undefined for other heartbeats. */
async function detailsOf(
  client: TokenSource,
  workflowId: string,
  activity: PendingActivity,
): Promise<StreamDetails | undefined> {
  const attempt = activity.attempt ?? 1;
  const payloads = activity.heartbeatDetails?.payloads;
  // A retried attempt that has not beaten yet still shows the previous attempt's text: it is gone.
  const empty: StreamDetails = { kind: 'council.stream.v1', attempt, offset: 0, tail: '' };
  if (!payloads?.length) return attempt > 1 ? empty : undefined;
  const context = {
    type: 'activity' as const,
    namespace: client.options.namespace,
    activityId: activity.activityId ?? '',
    workflowId,
    isLocal: false,
  };
  const decoded = await decodeFromPayloadsAtIndex(client.options.loadedDataConverter, 0, payloads, context);
  const parsed = streamDetailsSchema.safeParse(decoded);
  if (!parsed.success) return attempt > 1 ? empty : undefined;
  return parsed.data.attempt === attempt ? parsed.data : empty;
}

/** Folds the latest details of a call into what was known; the event to emit, if anything is new. */
export function advance(
  calls: Map<string, CallText>,
  callId: string,
  details: StreamDetails,
  knownNames?: Iterable<string>,
): TokenEvent | undefined {
  let known = calls.get(callId);
  const first = known === undefined;
  const restarted = known !== undefined && known.attempt !== details.attempt;
  if (!known || restarted) {
    known = { attempt: details.attempt, offset: 0, text: '' };
    calls.set(callId, known);
  }
  const knownEnd = known.offset + known.text.length;
  const end = details.offset + details.tail.length;
  if (end <= knownEnd && !restarted) return undefined;
  const gap = details.offset > knownEnd;
  const delta = gap ? details.tail : details.tail.slice(knownEnd - details.offset);
  if (gap) {
    known.offset = details.offset;
    known.text = '';
  }
  known.text += delta;
  // The watcher's copy is bounded like an answer is; past it the oldest characters go.
  const over = known.text.length - LIMITS.maxAnswerBytes;
  if (over > 0) {
    known.text = known.text.slice(over);
    known.offset += over;
  }
  return {
    participant: participantOf(callId, knownNames),
    callId,
    attempt: details.attempt,
    delta,
    text: known.text,
    offset: known.offset,
    restarted,
    gap,
    first,
  };
}

/**
 * The participant a call id names: `r<round>.<phase>.<participant>`, with `.2`, `.3` after it when
 * one participant is called again in a round and phase, and `#again<n>` when a call is asked again
 * after lost workers (workflows/shared/callModel.ts).
 */
export function participantOf(callId: string, knownNames?: Iterable<string>): string {
  // A call asked again after lost workers is `<id>#again<n>` (workflows/shared/callModel.ts).
  const rest = /^r\d+\.[^.]+\.(.+?)(?:#again\d+)?$/.exec(callId)?.[1];
  if (rest === undefined) return callId;
  const names = new Set(knownNames ?? []);
  if (names.has(rest)) return rest;
  const base = /^(.+)\.\d+$/.exec(rest)?.[1];
  // Without names "GPT-4.1" stays whole: a second call in one round and phase is the rare case.
  return base !== undefined && names.has(base) ? base : rest;
}
