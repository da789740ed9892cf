import { z } from 'zod';
import { answerJson, detachedFields, isoTime, JSON_SCHEMA_VERSION } from './jsonOutput';

/**
 * The events of `council run --events`: one JSON object per line on stdout, as things happen
 * (documented in docs/json.md). Every event has `schemaVersion` (the `--json` documents' version),
 * `type` and `at` (RFC 3339, UTC). Answers have the `--json` documents' answer shape.
 */
const envelope = <T extends string>(type: T) => ({
  schemaVersion: z.literal(JSON_SCHEMA_VERSION),
  type: z.literal(type),
  at: isoTime,
});
const usage = z.object({ inputTokens: z.number(), outputTokens: z.number(), totalTokens: z.number() });

/** The run started: a session (`strategy`, `question`) or a council (`mode`, `question`: its task). */
export const startedEvent = z.object({
  ...envelope('started'),
  id: z.string(),
  kind: z.enum(['session', 'council']),
  strategy: z.string().optional(),
  mode: z.string().optional(),
  question: z.string(),
  simulated: z.boolean(),
});

/** A participant, expert or the synthesizer began its call; `role` says which round or phase. */
export const thinkingEvent = z.object({ ...envelope('thinking'), name: z.string(), role: z.string() });

/** A call failed and Temporal retries it; `reason` is the last failure's first line. */
export const retryingEvent = z.object({
  ...envelope('retrying'),
  name: z.string(),
  role: z.string(),
  attempt: z.number().int(),
  maxAttempts: z.number().int().optional(),
  reason: z.string(),
});

/** A call failed for good. */
export const failedEvent = z.object({
  ...envelope('failed'),
  name: z.string(),
  role: z.string(),
  reason: z.string(),
});

/**
 * A call of an `onExhausted: ask` budget waits for a person (`waiting`, until when, and the commands
 * that answer it), or its wait ended: `resumed` (a raise, or other calls settling, made room) or
 * `stopped` (`budget stop` or the timeout: the call is refused, `reason` says why).
 */
export const budgetEvent = z.object({
  ...envelope('budget'),
  name: z.string(),
  role: z.string(),
  state: z.enum(['waiting', 'resumed', 'stopped']),
  until: isoTime.optional(),
  raise: z.string().optional(),
  stop: z.string().optional(),
  reason: z.string().optional(),
});

/**
 * A council waits for a person between rounds (`waiting`, until when, and the command that answers)
 * or its wait ended (`ended`, with its `outcome`: a person wrote, no message in time, cancelled).
 */
export const personEvent = z.object({
  ...envelope('person'),
  name: z.string(),
  role: z.string(),
  state: z.enum(['waiting', 'ended']),
  until: isoTime.optional(),
  send: z.string().optional(),
  outcome: z.string().optional(),
});

/** An answer as it arrived (a council's person's message too, with role `person, …`). */
export const answerEvent = answerJson.extend(envelope('answer'));

/** A council's synthesis, once its experts are done. */
export const synthesisEvent = answerJson.extend(envelope('synthesis'));

/** The last event: the outcome, as the `--json` document has it. */
export const resultEvent = z.object({
  ...envelope('result'),
  id: z.string(),
  kind: z.enum(['session', 'council']),
  status: z.enum(['ok', 'partial', 'failed']),
  exitCode: z.number().int(),
  responses: z.array(answerJson),
  usage,
  elapsedMs: z.number().optional(),
});

/**
 * The last event of a command that ended in an error (a round its session refused, a bad config, a
 * lost server): the one line it wrote to stderr, and its exit code.
 */
export const errorEvent = z.object({ ...envelope('error'), message: z.string(), exitCode: z.number().int() });

/** The last event of a run this process stopped following (a signal): the run goes on. */
export const detachedEvent = z.object({ ...envelope('detached'), ...detachedFields });

/** Every event by its `type`. */
export const RUN_EVENTS = {
  started: startedEvent,
  thinking: thinkingEvent,
  retrying: retryingEvent,
  failed: failedEvent,
  budget: budgetEvent,
  person: personEvent,
  answer: answerEvent,
  synthesis: synthesisEvent,
  result: resultEvent,
  detached: detachedEvent,
  error: errorEvent,
} as const;

/** An event as the CLI builds it: `schemaVersion` and `at` are added when it is written. */
export type RunEvent = {
  [K in keyof typeof RUN_EVENTS]: Omit<z.input<(typeof RUN_EVENTS)[K]>, 'schemaVersion' | 'at'>;
}[keyof typeof RUN_EVENTS];

/** Checks one line of `--events` output against the shape its `type` names. */
export function parseRunEvent(value: unknown) {
  const type = (value as { type?: unknown } | null)?.type;
  const schema = RUN_EVENTS[type as keyof typeof RUN_EVENTS];
  if (!schema) throw new Error(`unknown event type ${JSON.stringify(type)}`);
  return schema.parse(value);
}
