import { z } from 'zod';

/**
 * What a model call publishes while it streams, read by watchers (client/api/tokens.ts). It travels as
 * the activity's heartbeat details: the server keeps only the latest heartbeat of a pending
 * activity, in its mutable state, and shows it to `DescribeWorkflowExecution`. Nothing of it enters
 * the workflow's history, whatever the length of the answer or the number of watchers.
 */
export const STREAM_LIMITS = {
  /**
   * Characters (UTF-16 units) of the latest text a heartbeat carries. A watcher that polls more
   * often than the model writes this much misses nothing; one that falls further behind (or
   * attaches late) sees the gap in `offset` and starts from the tail. JSON escaping grows it six
   * times at most: a heartbeat stays under 25 KiB, a tenth of Temporal's payload warning.
   */
  tailChars: 4096,
  /**
   * Fewest milliseconds between two heartbeats of a streaming call, in the activity: a model writing
   * 100 chunks a second costs ten heartbeats a second to encode, not a hundred. The worker's
   * heartbeat throttle (workers/worker.ts) then decides how often one reaches the server.
   */
  beatMs: 100,
  /**
   * The worker's heartbeat throttle (`maxHeartbeatThrottleInterval`): the most often one call's
   * heartbeat reaches the server, so the worst delay a watcher adds to a token. Each beat is one
   * RecordActivityTaskHeartbeat, a write of the activity's mutable state and no history event.
   */
  heartbeatThrottleMs: 200,
  /** How often a watcher reads the pending calls of a workflow (one DescribeWorkflowExecution). */
  pollMs: 150,
} as const;

/** Marks heartbeat details as council's stream progress, version 1. */
export const STREAM_DETAILS_KIND = 'council.stream.v1';

/** The heartbeat details of a streaming call: the latest text and where it starts in the answer. */
export const streamDetailsSchema = z.object({
  kind: z.literal(STREAM_DETAILS_KIND),
  /** The activity attempt that wrote it: details left by an earlier attempt are not the current text. */
  attempt: z.number().int().min(1),
  /** Characters of the answer before `tail` (dropped from the heartbeat to keep it bounded). */
  offset: z.number().int().min(0),
  /** The latest characters streamed so far, with partly written words held back. */
  tail: z.string().max(STREAM_LIMITS.tailChars),
});
export type StreamDetails = z.infer<typeof streamDetailsSchema>;
