import { setTimeout as sleep } from 'node:timers/promises';
import {
  QueryNotRegisteredError,
  WorkflowNotFoundError,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { CouncilUserError, RunNotFoundError } from '../../common/userError';
import { ServerGoneError } from '../runtime/serverLoss';
import { closedCouncilIn } from './closableCalls';
import { readPage, type RunProgressItem } from './progressPage';
import { WORKFLOW_TYPES } from './runs';
import { MAX_BUDGET_ASK_TIMEOUT_MS } from '../../common/budget';

/**
 * The longest a follow lasts unless told otherwise: the longest a round may be held (an `ask`
 * budget's longest wait for a person, a week) and a day for its calls.
 */
export const ROUND_WATCH_MAX_MS = MAX_BUDGET_ASK_TIMEOUT_MS + 24 * 60 * 60_000;

/** How long reads may keep failing (a server or worker restarting takes seconds) before a follow ends. */
export const ROUND_WATCH_UNREACHABLE_MS = 10 * 60_000;

/** Why {@link followRun} ended (its generator's return value). */
export type FollowRunEnd =
  /**
   * The run is no longer running (`status`: COMPLETED, FAILED, TERMINATED…): every event was read, or,
   * when a read of the closed run failed (no worker left to replay it), those read before, and
   * `readFailed` is that read's error.
   */
  | { reason: 'run-closed'; status: string; readFailed?: string }
  /** `follow: false`: every event logged so far was read (the run's status was not asked for it). */
  | { reason: 'caught-up' }
  /**
   * A council logged its end and every event was read: its workflow closes moments later (its handlers
   * and a scheduled run's budget grant settle first). Ending here spares the reads that learnt it a
   * poll later, each a replay of the closed run.
   */
  | { reason: 'log-ended' }
  /** `maxWatchMs` passed while the run was still running. */
  | { reason: 'time-limit'; afterMs: number }
  /** Every read failed for ten minutes (ROUND_WATCH_UNREACHABLE_MS); `error` is the last one's message. */
  | { reason: 'unreachable'; error: string }
  /** `signal` was aborted. */
  | { reason: 'stopped' };

/** Options of {@link followRun}. */
export interface FollowRunOptions {
  /** The run's kind; read from its workflow type when left out. */
  kind?: 'session' | 'council';
  /** The first event to read (an index the log gave, e.g. the last one seen plus one); 0 unless set. */
  fromEvent?: number;
  /** false: read what is logged now and end. */
  follow?: boolean;
  /** Time between reads once caught up; 400 ms unless set. */
  pollMs?: number;
  /** The follow ends (`time-limit`) after this long; ROUND_WATCH_MAX_MS (a week and a day) unless set. */
  maxWatchMs?: number;
  /** Ends the follow (`stopped`) before its next read, cutting the wait before it short. */
  signal?: AbortSignal;
  /**
   * Called after each read that succeeded, with the run's description as it stood before that read:
   * what the log does not hold (a call waiting for its retry) is in its pending calls. Without it, a
   * followed run is described before its first read and before each read that follows one which found
   * nothing new; a `follow: false` read is described only after it failed.
   */
  onPoll?: (description: WorkflowExecutionDescription) => void;
  /** Called when the log no longer holds events from `fromEvent` on: the page starts at `firstEvent`. */
  onEventsDropped?: (dropped: { fromEvent: number; firstEvent: number }) => void | Promise<void>;
}

/** Pages one read takes at most before it waits (a council's log pages hold 500 events each). */
const MAX_PAGES_PER_READ = 100;

/**
 * Follows a session's or a council's progress log from `fromEvent` on, page by page, and yields
 * each event with the answer or message it names, in order, until the run ends. The log's
 * indices survive continue-as-new (a handle without a run id reads the newest run), and a
 * follower that starts late reads from the oldest event the log still holds. Reads that fail (a
 * worker or server restarting) are waited through. An id that names no run is a CouncilUserError.
 */
export async function* followRun(
  handle: WorkflowHandle,
  options: FollowRunOptions = {},
): AsyncGenerator<RunProgressItem, FollowRunEnd> {
  const kind = options.kind ?? (await kindOf(handle));
  const startedMs = Date.now();
  const maxWatchMs = options.maxWatchMs ?? ROUND_WATCH_MAX_MS;
  let next = Math.max(0, Math.floor(options.fromEvent ?? 0));
  let failingSinceMs: number | undefined;
  /** Whether the last read found nothing new (or none was made): the next read is described first. */
  let quiet = true;
  while (!options.signal?.aborted) {
    let status: string | undefined;
    // A read that brought events is followed by another whatever the status, and `follow: false`
    // ends after one: the status then tells nothing, unless onPoll wants the description.
    const describing = options.onPoll !== undefined || (quiet && options.follow !== false);
    try {
      // Described before the read: a log read after the run closed holds every event it will have.
      const description = describing ? await handle.describe() : undefined;
      status = description?.status.name;
      const from = next;
      for (let pages = 0; pages < MAX_PAGES_PER_READ; pages += 1) {
        const page = await readPage(handle, kind, next);
        if (page.firstEvent > next)
          await options.onEventsDropped?.({ fromEvent: next, firstEvent: page.firstEvent });
        yield* page.items;
        next = page.nextEvent;
        if (next >= page.totalEvents && page.ended) {
          if (description) options.onPoll?.(description);
          return { reason: 'log-ended' };
        }
        if (next >= page.totalEvents) break;
      }
      quiet = next === from;
      failingSinceMs = undefined;
      if (description) options.onPoll?.(description);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw notFound(handle.workflowId, kind, error);
      if (error instanceof ServerGoneError) throw error;
      if (error instanceof QueryNotRegisteredError && options.kind !== undefined)
        await checkKind(handle, kind);
      if (!describing) status = await statusAfterFailure(handle, kind);
      // A closed run answers queries only while a worker can replay it (or, failing early, never did).
      // A run that failed before it registered its log (bad input) has logged nothing: that is no failed read.
      if (status !== undefined && !running(status))
        return error instanceof QueryNotRegisteredError
          ? { reason: 'run-closed', status }
          : { reason: 'run-closed', status, readFailed: messageOf(error) };
      if (options.follow === false) throw error;
      // The server may come back; this client's own closed connection will not.
      const closed = closedClient(error);
      if (closed) return { reason: 'unreachable', error: closed };
      failingSinceMs ??= Date.now();
      if (Date.now() - failingSinceMs >= ROUND_WATCH_UNREACHABLE_MS)
        return { reason: 'unreachable', error: messageOf(error) };
    }
    if (failingSinceMs === undefined) {
      if (status !== undefined && !running(status)) return { reason: 'run-closed', status };
      if (options.follow === false) return { reason: 'caught-up' };
      // Nothing new and not described: learn at once whether the run closed, not a poll later.
      if (!describing && quiet) continue;
    }
    if (Date.now() - startedMs >= maxWatchMs) return { reason: 'time-limit', afterMs: maxWatchMs };
    await sleep(options.pollMs ?? 400, undefined, { signal: options.signal }).catch(() => undefined);
  }
  return { reason: 'stopped' };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A continued-as-new run goes on in its next run, which a handle without a run id reads. */
function running(status: string): boolean {
  return status === 'RUNNING' || status === 'CONTINUED_AS_NEW';
}

async function kindOf(handle: WorkflowHandle): Promise<'session' | 'council'> {
  try {
    const { type } = await handle.describe();
    if (type === WORKFLOW_TYPES.council) return 'council';
    if (type === WORKFLOW_TYPES.session) return 'session';
    throw new CouncilUserError(`"${handle.workflowId}" is a ${type} workflow, not a session or council`);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw notFound(handle.workflowId, undefined, error);
    throw error;
  }
}

/** Throws when the run is of another kind than `kind`, the one its caller named: its log has another query. */
async function checkKind(handle: WorkflowHandle, kind: 'session' | 'council'): Promise<void> {
  const actual = await kindOf(handle).catch(() => undefined);
  if (actual === undefined || actual === kind) return;
  throw new CouncilUserError(
    `"${handle.workflowId}" is a ${actual}, not a ${kind}`,
    'leave kind out: followRun reads it from the run',
  );
}

/** The run's status after a read failed, to tell a closed run from a failing read; undefined if unknown. */
async function statusAfterFailure(
  handle: WorkflowHandle,
  kind: 'session' | 'council',
): Promise<string | undefined> {
  try {
    return (await handle.describe()).status.name;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw notFound(handle.workflowId, kind, error);
    return undefined;
  }
}

function notFound(id: string, kind: 'session' | 'council' | undefined, cause: Error): CouncilUserError {
  return new RunNotFoundError(kind ?? 'run', id, 'list runs with `council list`', { cause });
}

/** What ended a follow whose read failed because this client was closed, in words. */
export const COUNCIL_CLOSED = 'this Council was closed';

/**
 * What closed this client, for the error of a call made on a closed connection (grpc-js says so,
 * under the SDK's wrapper) or on a closed Council.connect(); undefined for any other error.
 */
function closedClient(error: unknown): string | undefined {
  if (closedCouncilIn(error)) return COUNCIL_CLOSED;
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1, current = current.cause) {
    if (current.message.includes('Channel has been shut down')) return 'the client connection was closed';
  }
  return undefined;
}
