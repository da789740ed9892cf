import type { WorkflowExecutionStatusName } from '@temporalio/client';
import { z } from 'zod';
import { answerJson, messageJson } from './jsonAnswers';
import { councilResultJson, councilShowJson } from './jsonCouncil';
import { estimateJson } from './jsonEstimate';
import {
  budgetJson,
  envelope,
  errorJson,
  isoTime,
  JSON_SCHEMA_VERSION,
  outcome,
  usage,
  workflowStatus,
} from './jsonParts';

/**
 * The shapes of every `--json` document the CLI prints, in one place (documented in docs/json.md).
 * Every document is one object with `schemaVersion` and `type`; times are ISO 8601 in UTC with a
 * `Z`, durations are `...Ms` numbers, token counts are numbers. The same words mean the same thing
 * in every shape: `status` is an outcome (`ok`/`partial`/`failed` for a run, `ok`/`failed`/
 * `skipped` for an answer), `workflowStatus` is Temporal's execution status in lower case,
 * `councilStatus` is council's own status (the CouncilStatus search attribute).
 */
export { isoTime, JSON_SCHEMA_VERSION };
export {
  answerJson,
  humanMessageJson,
  messageJson,
  messageJsonOf,
  statsJson,
  type HumanMessageJson,
} from './jsonAnswers';
export { councilResultJson, councilShowJson } from './jsonCouncil';

/** `run` (session), `council send`, `council attach` (session): one round's answers. */
export const sessionRoundJson = z.object({
  ...envelope('session-round'),
  id: z.string(),
  kind: z.literal('session'),
  round: z.number().int(),
  strategy: z.string().optional(),
  question: z.string().optional(),
  simulated: z.boolean().optional(),
  status: outcome,
  exitCode: z.number().int(),
  responses: z.array(answerJson),
  usage,
  elapsedMs: z.number().optional(),
  /** A session with a budget: what it spent, its limit, its state. */
  budget: budgetJson.optional(),
  /** A session with `quorum` or `deadlineMs` whose round closed before every call ended (`run` only). */
  closedEarly: z.object({ reason: z.enum(['quorum', 'deadline']), late: z.array(z.string()) }).optional(),
  /** `attach` only: the run's Temporal status once its round's answers were read. */
  workflowStatus: workflowStatus.optional(),
});

const transcriptEntryJson = z.object({
  round: z.number().int(),
  from: z.string(),
  role: z.string(),
  content: z.string(),
  status: z.enum(['ok', 'failed', 'skipped']),
  /** A message sent to some participants only: their names. */
  to: z.array(z.string()).optional(),
  tokenUsage: usage.optional(),
  /** As a response's `servedBy`. */
  servedBy: z.string().optional(),
  /** The answer came after a quorum or deadline closed its round: not among the round's responses. */
  late: z.literal(true).optional(),
});

/** `council show` of a session. */
export const sessionShowJson = z.object({
  ...envelope('session-show'),
  id: z.string(),
  kind: z.literal('session'),
  workflowStatus,
  strategy: z.string(),
  round: z.number().int(),
  closed: z.boolean(),
  usage,
  participants: z.array(
    z.object({ name: z.string(), role: z.string(), model: z.string(), priority: z.number(), usage }),
  ),
  /** Entries no longer carried by the session (dropped from the front to bound its size). */
  transcriptDropped: z.number().int(),
  /** The round being played, with each participant's call state; absent between rounds. */
  activeRound: z.object({ round: z.number().int(), states: z.record(z.string(), z.string()) }).optional(),
  /** Rounds asked for that have not begun; absent when none wait. */
  roundsWaiting: z.number().int().optional(),
  /** A session with a budget: what it spent, its limit, its state. */
  budget: budgetJson.optional(),
  transcript: z.array(transcriptEntryJson),
});

/** `council list`: sessions and councils, running ones first, then the most recently closed. */
export const runListJson = z.object({
  ...envelope('run-list'),
  query: z.string(),
  items: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      strategy: z.string(),
      councilStatus: z.string(),
      workflowStatus,
      startedAt: isoTime,
      closedAt: isoTime.nullable(),
      /** A closed session's total, from its memo; null when not known without a worker. */
      tokens: z.number().nullable(),
      costUsd: z.number().nullable(),
      question: z.string(),
    }),
  ),
});

/** `schedule list`. */
export const scheduleListJson = z.object({
  ...envelope('schedule-list'),
  items: z.array(
    z.object({
      id: z.string(),
      state: z.enum(['active', 'paused']),
      nextRunAt: isoTime.nullable(),
      latestRun: z.string().nullable(),
    }),
  ),
});

/** `schedule describe`. */
export const scheduleJson = z.object({
  ...envelope('schedule'),
  id: z.string(),
  spec: z.string(),
  config: z.string(),
  task: z.string(),
  state: z.enum(['active', 'paused']),
  note: z.string(),
  overlap: z.string(),
  nextRunsAt: z.array(isoTime),
  recentRuns: z.array(z.string()),
  running: z.array(z.string()),
  /** The schedule's period budget and the current period's spend; null when it has none. */
  periodBudget: z
    .object({
      period: z.enum(['day', 'week']),
      limit: z.object({ maxTokens: z.number().optional(), maxCostUsd: z.number().optional() }),
      periodStart: isoTime,
      periodEnd: isoTime,
      committed: z.object({ tokens: z.number(), usd: z.number() }),
      left: z.object({ maxTokens: z.number().optional(), maxCostUsd: z.number().optional() }),
      running: z.number().int(),
    })
    .nullable(),
});

/** `send ID` to a council: the person's message as the council stored it. */
export const councilMessageJson = z.object({
  ...envelope('council-message'),
  id: z.string(),
  kind: z.literal('council'),
  message: messageJson,
});

/** `gc`. */
export const gcJson = z.object({
  ...envelope('gc'),
  store: z.string(),
  dryRun: z.boolean(),
  olderThanMs: z.number(),
  workflowsScanned: z.number().int(),
  referenced: z.number().int(),
  kept: z.number().int(),
  removed: z.array(z.string()),
});

/**
 * `run`, `send`, `attach` stopped by a signal: this process stopped following the run, which goes on
 * (`goesOn` says how far), and `attach` follows it again. As the `detached` event of `--events` too.
 */
export const detachedFields = {
  id: z.string(),
  kind: z.enum(['session', 'council']),
  signal: z.string(),
  goesOn: z.string(),
  /** Absent for a run whose start was never sent: there is nothing to attach to. */
  attach: z.string().optional(),
  /** `false`: the run was never sent; `unknown`: its start was sent, unanswered. Absent: started. */
  started: z.union([z.literal(false), z.literal('unknown')]).optional(),
  exitCode: z.number().int(),
};
export const detachedJson = z.object({ ...envelope('detached'), ...detachedFields });

/** Temporal's execution status as the JSON documents spell it. */
export function workflowStatusOf(name: WorkflowExecutionStatusName): z.infer<typeof workflowStatus> {
  return name.toLowerCase() as z.infer<typeof workflowStatus>;
}

/** The fields a `show` document starts with: its type, which run, its kind and Temporal's status of it. */
export function showHeadOf<K extends 'session' | 'council'>(
  kind: K,
  description: { workflowId: string; status: { name: WorkflowExecutionStatusName } },
) {
  return {
    type: `${kind}-show` as const,
    id: description.workflowId,
    kind,
    workflowStatus: workflowStatusOf(description.status.name),
  };
}

/** Every shape by its `type`: what tests (and readers of docs/json.md) check documents against. */
export const JSON_SHAPES = {
  'session-round': sessionRoundJson,
  'council-result': councilResultJson,
  'session-show': sessionShowJson,
  'council-show': councilShowJson,
  'council-message': councilMessageJson,
  'run-list': runListJson,
  'schedule-list': scheduleListJson,
  schedule: scheduleJson,
  gc: gcJson,
  estimate: estimateJson,
  detached: detachedJson,
  error: errorJson,
} as const;

/** A `--json` document as commands build it: `schemaVersion` is added when it is printed. */
export type JsonDocument = {
  [K in keyof typeof JSON_SHAPES]: Omit<z.input<(typeof JSON_SHAPES)[K]>, 'schemaVersion'>;
}[keyof typeof JSON_SHAPES];

/** Checks a printed document against its shape; the zod problem names the path that is wrong. */
export function parseJsonDocument(value: unknown) {
  const type = (value as { type?: unknown } | null)?.type;
  const schema = JSON_SHAPES[type as keyof typeof JSON_SHAPES];
  if (!schema) throw new Error(`unknown --json document type ${JSON.stringify(type)}`);
  return schema.parse(value);
}
