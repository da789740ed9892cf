import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { tsToMs } from '@temporalio/common/lib/time';
import { MODEL_CALL_ACTIVITY } from '../../activities/types';

/** A pending activity as the server describes it. */
export type PendingActivity = temporal.api.workflow.v1.IPendingActivityInfo;

/** A model call of a session or council that the server is retrying: its last attempt failed. */
export interface CallRetry {
  /** The participant (a session participant's name, an expert's id) the call is matched to, if any. */
  participant?: string;
  /** The call's activity id, e.g. `r2.answer.Ada`. */
  activityId: string;
  /** The attempt now running or waiting its backoff: 2 and up. */
  attempt: number;
  /** The retry policy's cap, when it has one. */
  maxAttempts?: number;
  /** The first line of the last attempt's failure. */
  reason: string;
  /** When the last attempt ended (ISO 8601 UTC), if the server says: what a retry's line is dated. */
  failedAt?: string;
}

/**
 * The model calls of a session or council now being retried, read from the pending activities of
 * the workflow's description (the only place retries show before a call ends). `thinking` names
 * the participants whose call is in flight, as call ids name them (a session participant's name, a
 * council expert's id), in order of joining: each retry is matched to one of them (see
 * {@link matchCalls}). A call that matches none is still listed, without `participant`.
 */
export async function councilRetries(
  handle: WorkflowHandle,
  thinking: readonly string[] = [],
): Promise<CallRetry[]> {
  const pending = (await handle.describe()).raw.pendingActivities ?? [];
  return retriesOf(thinking, pending);
}

/** The retrying calls among `pending`, each matched to one of `thinking` when it can be. */
export function retriesOf(thinking: readonly string[], pending: readonly PendingActivity[]): CallRetry[] {
  const owners = new Map([...matchCalls(thinking, pending)].map(([name, activity]) => [activity, name]));
  return pending
    .filter((activity) => activity.activityType?.name === MODEL_CALL_ACTIVITY && (activity.attempt ?? 1) > 1)
    .map((activity) => {
      const participant = owners.get(activity);
      return {
        ...(participant !== undefined && { participant }),
        activityId: activity.activityId ?? '',
        attempt: activity.attempt ?? 2,
        ...(activity.maximumAttempts ? { maxAttempts: activity.maximumAttempts } : {}),
        reason: activity.lastFailure?.message?.split('\n')[0] ?? 'retrying',
        ...(activity.lastAttemptCompleteTime && {
          failedAt: new Date(tsToMs(activity.lastAttemptCompleteTime)).toISOString(),
        }),
      };
    });
}

/**
 * Which pending model call is whose. Pending activities do not carry their input, so an activity
 * id naming the participant wins (`r2.answer.Ada`, `r2.answer.Ada.2`); otherwise (runs older than
 * call ids) ids are matched, in scheduling order, to the thinking participants in order of
 * joining, the order in which every strategy schedules concurrent calls.
 */
export function matchCalls(
  thinking: readonly string[],
  pending: readonly PendingActivity[],
): Map<string, PendingActivity> {
  const matched = new Map<string, PendingActivity>();
  const rest: PendingActivity[] = [];
  for (const activity of pending.filter(
    (candidate) => candidate.activityType?.name === MODEL_CALL_ACTIVITY,
  )) {
    const named = thinking.find((name) => namesParticipant(activity.activityId ?? '', name));
    if (named) matched.set(named, activity);
    else rest.push(activity);
  }
  const unmatched = thinking.filter((name) => !matched.has(name));
  if (unmatched.length !== rest.length) return matched;
  rest.sort((a, b) => Number(a.activityId) - Number(b.activityId));
  unmatched.forEach((name, index) => {
    const activity = rest[index];
    if (activity) matched.set(name, activity);
  });
  return matched;
}

/** Whether a call id (`r<round>.<phase>.<participant>[.<n>][#again<n>]`) names this participant. */
function namesParticipant(activityId: string, name: string): boolean {
  const id = activityId.replace(/#again\d+$/, '');
  return id.endsWith(`.${name}`) || id.replace(/\.\d+$/, '').endsWith(`.${name}`);
}
