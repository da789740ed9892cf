import { JSON_SCHEMA_VERSION } from './jsonOutput';
import type { AnswerRow, Output } from './output';
import { detachedExitCode, detachWith } from './exitCode';
import type { RunEvent } from './eventSchemas';
import type { ParticipantLine, ProgressRenderer } from './progress';

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
