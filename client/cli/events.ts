import { z } from 'zod';
import { answerJson, detachedFields, isoTime, JSON_SCHEMA_VERSION } from './jsonOutput';
import type { AnswerRow, Output } from './output';
import { detachedExitCode, detachWith } from './exitCode';
import type { ParticipantLine, ProgressRenderer } from './progress';

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

/** Writes an event on stdout, stamped with the schema version and the time. */
export function writeRunEvent(event: RunEvent): void {
  // Ctrl-C's `detached` event is the stream's last: the process closes for up to two seconds after
  // it, and a watch still polling (or the command failing as its connection closes) writes nothing.
  if (detachedExitCode() !== undefined) return;
  if (event.type === 'detached') detachWith(event.exitCode);
  const at = new Date().toISOString();
  process.stdout.write(`${JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, ...event, at })}\n`);
}

/** Where `run --events` writes: events to stdout, every line for people to stderr. */
export interface EventsOutput extends Output {
  emit(event: RunEvent): void;
}

/** The Output of `run --events`: its one result document becomes the `result` event. */
export function createEventsOutput(): EventsOutput {
  const emit = writeRunEvent;
  return {
    // The commands build their `--json` document; here it is turned into the `result` event.
    json: true,
    width: undefined,
    emit,
    say: (text) => process.stderr.write(`${text}\n`),
    result(document) {
      if (document.type !== 'session-round' && document.type !== 'council-result') return;
      const { id, kind, status, exitCode, responses, usage, elapsedMs } = document;
      emit({ type: 'result', id, kind, status, exitCode, responses, usage, elapsedMs });
    },
  };
}

/** The event writer of an `--events` output, undefined for any other. */
export function eventsOf(out: Output): ((event: RunEvent) => void) | undefined {
  return 'emit' in out ? (out as EventsOutput).emit : undefined;
}

/** A budget's limits, as far as the command that raises it goes: dollars, tokens or both. */
export interface BudgetLimit {
  maxTokens?: number | undefined;
  maxCostUsd?: number | undefined;
}

/**
 * The command that raises a held budget: `budget raise` takes dollars for a money limit and tokens
 * for a token limit. With no `limit` (not known where the hint is made), both are named.
 */
export function raiseHint(id: string, limit?: BudgetLimit): string {
  if (limit?.maxCostUsd !== undefined && limit.maxTokens === undefined)
    return `council budget raise ${id} --by-usd N`;
  if (limit?.maxTokens !== undefined && limit.maxCostUsd === undefined)
    return `council budget raise ${id} --by-tokens N`;
  return `council budget raise ${id} --by-usd N (or --by-tokens N)`;
}

/** The wait for a budget decision, with the commands that answer it. */
function budgetWaiting(
  { name, role }: ParticipantLine,
  { untilMs, id, limit }: { untilMs: number; id: string; limit?: BudgetLimit | undefined },
): RunEvent {
  const until = new Date(untilMs).toISOString();
  const [raise, stop] = [raiseHint(id, limit), `council budget stop ${id}`];
  return { type: 'budget', name, role, state: 'waiting', until, raise, stop };
}

/** How a wait for a budget decision ended: the call went on, or was refused (and why). */
function budgetEnded({ name, role, state }: ParticipantLine): RunEvent {
  if (state.kind !== 'failed' && state.kind !== 'skipped') {
    return { type: 'budget', name, role, state: 'resumed' };
  }
  return { type: 'budget', name, role, state: 'stopped', ...(state.reason && { reason: state.reason }) };
}

/** A council's wait for a person, or how it ended. */
function personWait(
  { name, role }: ParticipantLine,
  { untilMs, send, outcome }: { untilMs: number; send: string; outcome?: string | undefined },
): RunEvent {
  if (outcome !== undefined) return { type: 'person', name, role, state: 'ended', outcome };
  return { type: 'person', name, role, state: 'waiting', until: new Date(untilMs).toISOString(), send };
}

/** A progress renderer that writes events: a state change is an event once, answers as they come. */
export function eventsRenderer(emit: (event: RunEvent) => void): ProgressRenderer {
  const last = new Map<string, string>();
  const keyOf = ({ state }: ParticipantLine) =>
    state.kind === 'retrying'
      ? `retrying:${state.attempt}`
      : state.kind === 'person'
        ? `person:${state.untilMs}:${state.outcome ?? ''}`
        : state.kind;
  return {
    update(lines) {
      for (const line of lines) {
        const { name, role, state } = line;
        const key = keyOf(line);
        const before = last.get(name);
        if (before === key) continue;
        // A failure is worth its event once its reason is known (sessions learn it at the round's end).
        if (state.kind === 'failed' && !state.reason) continue;
        last.set(name, key);
        if (before === 'budget') emit(budgetEnded(line));
        if (state.kind === 'budget') emit(budgetWaiting(line, state));
        else if (state.kind === 'person') emit(personWait(line, state));
        else if (state.kind === 'thinking') emit({ type: 'thinking', name, role });
        else if (state.kind === 'retrying') {
          const { attempt, maxAttempts, reason } = state;
          emit({ type: 'retrying', name, role, attempt, ...(maxAttempts && { maxAttempts }), reason });
        } else if (state.kind === 'failed') emit({ type: 'failed', name, role, reason: state.reason });
      }
    },
    answer(row: AnswerRow) {
      emit({ type: 'answer', ...row });
    },
    // Tokens are not events (yet): a line per batch would drown the answers.
    text() {},
    stop() {},
  };
}
