import type { WorkflowExecutionStatusName } from '@temporalio/client';
import { z } from 'zod';
import { stanceSchema } from '../../common/convergence';
import {
  budgetJson,
  envelope,
  failure,
  isoTime,
  JSON_SCHEMA_VERSION,
  messageWebhookJson,
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

/** One participant's, expert's or the synthesizer's outcome. */
export const answerJson = z.object({
  name: z.string(),
  role: z.string(),
  status: z.enum(['ok', 'failed', 'skipped']),
  content: z.string(),
  tokenUsage: usage,
  error: failure.optional(),
  /** What the call cost in USD as a session's budget counted it; under a budget only. */
  costUsd: z.number().optional(),
  /** `provider/model` a session's budget sent the call to instead of the participant's own. */
  downgradedTo: z.string().optional(),
  /** Identity of the worker that made the call; absent when the result does not record it. */
  servedBy: z.string().optional(),
  /** A hedged council's expert whose backup answered first: the backup's name. */
  hedgedBy: z.string().optional(),
});

/** A message of a council (an expert's, or a person's with `sender: "human"`). */
export const messageJson = z.object({
  id: z.string(),
  sender: z.string(),
  senderName: z.string(),
  recipient: z.string().optional(),
  /** The experts a role, group or list address reached; `audience` names the role or group. */
  recipients: z.array(z.string()).optional(),
  audience: z.string().optional(),
  priority: z.literal('urgent').optional(),
  content: z.string(),
  timestamp: isoTime,
  type: z.string(),
  replyTo: z.string().optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  /**
   * `show` with filters or `--stats`: the round it was written in (a carried message's round where it
   * was written; 0 if it came without one), the turn's phase, and whether the council carried it over.
   */
  round: z.number().int().optional(),
  phase: z.string().optional(),
  carried: z.literal(true).optional(),
  /** `show --relevant-to`: the share of its words the message holds (0 to 1). */
  relevance: z.number().optional(),
});

const countsByType = z.record(z.string(), z.number().int());

/** `show --stats` (docs/json.md "stats"): messages per participant and type, who answers whom, rounds. */
export const statsJson = z.object({
  messages: z.number().int(),
  byType: countsByType,
  byParticipant: z.record(
    z.string(),
    z.object({ name: z.string(), messages: z.number().int(), byType: countsByType, tokens: usage }),
  ),
  interactions: z.array(
    z.object({ from: z.string(), to: z.string(), type: z.string(), count: z.number().int() }),
  ),
  rounds: z.array(
    z.object({
      round: z.number().int(),
      messages: z.number().int(),
      carried: z.number().int().optional(),
      calls: z.number().int(),
      failedCalls: z.number().int(),
      tokens: usage,
      startedAt: isoTime.optional(),
      endedAt: isoTime.optional(),
      durationMs: z.number().optional(),
    }),
  ),
});

/** A person's message to a council, with the round it came after. */
export const humanMessageJson = z.object({ round: z.number().int(), message: messageJson });
export type HumanMessageJson = z.input<typeof humanMessageJson>;

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
});

/** How a debate with `convergence` ended (README "Debates that stop when they converge"). */
const convergenceJson = z.object({
  stopReason: z.enum(['consensus', 'oscillation', 'round-cap']),
  debateRounds: z.number().int(),
  roundsSkipped: z.number().int(),
  agreement: z.number(),
  position: z.string().optional(),
  /** An estimate: tokens per debate round so far times the rounds skipped. */
  tokensSaved: z.number(),
  stances: z.record(z.string(), stanceSchema.nullable()),
});

/** One turn of an expert: what it was shown (ids of `messages`) and what it said. */
const shownTurnJson = z.object({
  round: z.number().int(),
  phase: z.enum(['answer', 'critique', 'review']),
  shownMessageIds: z.array(z.string()),
  answerId: z.string().optional(),
  idsLeftOut: z.number().int().optional(),
});

/** What an expert was shown: its latest turn's round and the positions it saw, then every turn. */
const conversationContextJson = z.object({
  round: z.number().int(),
  previousResponses: z.record(z.string(), z.string()),
  turns: z.array(shownTurnJson),
});

/** `run` and `council attach` of a council: the experts' answers, the synthesis, the messages. */
export const councilResultJson = z.object({
  ...envelope('council-result'),
  id: z.string(),
  kind: z.literal('council'),
  mode: z.string(),
  task: z.string(),
  simulated: z.boolean(),
  status: outcome,
  exitCode: z.number().int(),
  rounds: z.number().int(),
  responses: z.array(answerJson),
  synthesis: answerJson,
  usage,
  elapsedMs: z.number(),
  /** Every message of the council, when it ran with messaging on. */
  messages: z.array(messageJson).optional(),
  /** What each expert was shown, by expert id, when it ran with messaging on. */
  conversationContext: z.record(z.string(), conversationContextJson).optional(),
  humanMessages: z.array(humanMessageJson),
  convergence: convergenceJson.optional(),
  /** `run --from FILE` or `--from-run ID`: the council whose conversation this one went on from. */
  continuedFrom: z.string().optional(),
  /** A council with a budget: what it spent, its limit, the calls it refused. */
  budget: budgetJson.optional(),
  /** A council with a message webhook: how many messages it delivered, which it could not. */
  messageWebhook: messageWebhookJson.optional(),
});

const transcriptEntryJson = z.object({
  round: z.number().int(),
  from: z.string(),
  role: z.string(),
  content: z.string(),
  status: z.enum(['ok', 'failed', 'skipped']),
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
  /** A session with a budget: what it spent, its limit, its state. */
  budget: budgetJson.optional(),
  transcript: z.array(transcriptEntryJson),
});

/** `council show` of a council: its result once completed, where it is while running. */
export const councilShowJson = z.object({
  ...envelope('council-show'),
  id: z.string(),
  kind: z.literal('council'),
  workflowStatus,
  councilStatus: z.string().optional(),
  mode: z.string().optional(),
  task: z.string().optional(),
  rounds: z.number().int().optional(),
  responses: z.array(answerJson).optional(),
  synthesis: answerJson.optional(),
  usage: usage.optional(),
  messages: z.array(messageJson).optional(),
  conversationContext: z.record(z.string(), conversationContextJson).optional(),
  humanMessages: z.array(humanMessageJson).optional(),
  convergence: convergenceJson.optional(),
  /** A running council: each expert's inbox, the ids of the messages waiting for its next turn. */
  inboxes: z.record(z.string(), z.array(z.string())).optional(),
  /** A council that went on from an earlier conversation: the council it came from. */
  continuedFrom: z.string().optional(),
  /** With filter flags, `--stats` or `--save`: the filter applied (empty: none). */
  filter: z
    .object({
      types: z.array(z.string()).optional(),
      from: z.array(z.string()).optional(),
      to: z.array(z.string()).optional(),
      rounds: z.array(z.number().int()).optional(),
    })
    .optional(),
  stats: statsJson.optional(),
  /** `--save FILE`: the file the conversation was written to. */
  savedTo: z.string().optional(),
  /** A completed council with a budget: what it spent, its limit, the calls it refused. */
  budget: budgetJson.optional(),
  /** A completed council with a message webhook: as in `council-result`. */
  messageWebhook: messageWebhookJson.optional(),
});

/** `council list`: sessions and councils, newest first. */
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

/** Temporal's execution status as the JSON documents spell it. */
export function workflowStatusOf(name: WorkflowExecutionStatusName): z.infer<typeof workflowStatus> {
  return name.toLowerCase() as z.infer<typeof workflowStatus>;
}

/** A message for a document: its time as an ISO string whether it came as a Date or a string. */
export function messageJsonOf(
  message: Omit<z.input<typeof messageJson>, 'timestamp'> & { timestamp: Date | string },
): z.input<typeof messageJson> {
  const { timestamp } = message;
  return { ...message, timestamp: typeof timestamp === 'string' ? timestamp : timestamp.toISOString() };
}

/** Every shape by its `type`: what tests (and readers of docs/json.md) check documents against. */
export const JSON_SHAPES = {
  'session-round': sessionRoundJson,
  'council-result': councilResultJson,
  'session-show': sessionShowJson,
  'council-show': councilShowJson,
  'run-list': runListJson,
  'schedule-list': scheduleListJson,
  schedule: scheduleJson,
  gc: gcJson,
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
