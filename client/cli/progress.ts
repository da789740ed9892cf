import type * as LogUpdate from 'log-update';
import pc from 'picocolors';
import { eventsOf, eventsRenderer, raiseHint, type BudgetLimit } from './events';
import { formatAnswer, type AnswerRow, type Output } from './output';
import type { TokenEvent } from '../api/tokens';
import { printable } from '../../common/printable';
import { liveTail, PlainLines } from './streamText';
import { terminalWidth } from './wrap';

/** Where one participant is in the round. */
export type ParticipantState =
  | { kind: 'waiting' }
  | { kind: 'thinking'; sinceMs: number }
  | { kind: 'retrying'; attempt: number; maxAttempts?: number; reason: string }
  | { kind: 'done'; tokens: number }
  | { kind: 'failed'; reason: string }
  /** `reason`: a skip's cause when no person made it (`noAnswerWords`). */
  | { kind: 'skipped'; reason?: string; byPerson?: true }
  /**
   * A council waiting for a person until `untilMs`, who answers with the command `send`; `outcome`
   * once the wait is over.
   */
  | { kind: 'person'; untilMs: number; send: string; outcome?: string }
  /**
   * A call an `onExhausted: ask` budget holds until `untilMs`, for a person's raise or stop of run
   * `id`; `limit`, the budget's limits when known, says whether a raise is in dollars or tokens.
   */
  | { kind: 'budget'; untilMs: number; id: string; limit?: BudgetLimit | undefined };

export interface ParticipantLine {
  name: string;
  role: string;
  state: ParticipantState;
  /** When the run logged this state; absent when its log gives no time (then: when it was seen). */
  atMs?: number;
}

/** Shows a round's progress: live lines on a terminal, one plain line per event elsewhere. */
export interface ProgressRenderer {
  /** Every participant's state now; the renderer works out what changed. */
  update(lines: readonly ParticipantLine[]): void;
  /** An answer that just arrived, printed once, above the live lines. */
  answer(row: AnswerRow): void;
  /** Text a participant's model streamed (client/api/tokens.ts), shown as it grows; `name` as its line is named. */
  text(name: string, event: TokenEvent): void;
  /** Ends the live display; what was printed stays. */
  stop(): void;
}

/**
 * The renderer for a stream: in place (log-update) on a terminal; plain lines without one (CI,
 * pipes), or when `quiet` answers go elsewhere (--json puts progress on stderr, answers in the JSON).
 */
export function createRenderer(stream: NodeJS.WriteStream, options: { answers: boolean }): ProgressRenderer {
  return stream.isTTY ? liveRenderer(stream, options.answers) : plainRenderer(stream, options.answers);
}

/**
 * How a command shows a run's progress on `out`: as events under `--events`, else as lines for people
 * (on stderr under `--json`, whose answers go in the document on stdout).
 */
export function progressRendererFor(out: Output): ProgressRenderer {
  const emit = eventsOf(out);
  if (emit) return eventsRenderer(emit);
  return createRenderer(out.json ? process.stderr : process.stdout, { answers: !out.json });
}

/**
 * A state in words; `now` is given on a live display, where elapsed times tick. A line written once
 * counts a wait's time left from `atMs`, when the state began: a wait read back from the log says
 * the time it had then.
 */
function describe(state: ParticipantState, now?: number, atMs?: number): string {
  const leftSeconds = (untilMs: number) =>
    Math.max(0, Math.ceil((untilMs - (now ?? atMs ?? Date.now())) / 1000));
  switch (state.kind) {
    case 'waiting':
      return pc.dim('waiting');
    case 'thinking':
      return now === undefined
        ? pc.cyan('thinking')
        : `${pc.cyan('thinking')} ${((now - state.sinceMs) / 1000).toFixed(1)}s`;
    case 'retrying':
      return `${pc.yellow(`retrying (attempt ${state.attempt}${state.maxAttempts ? `/${state.maxAttempts}` : ''})`)}: ${state.reason}`;
    case 'done':
      return `${pc.green('done')} · ${state.tokens} tokens`;
    case 'failed':
      return `${pc.red('failed')}${state.reason ? `: ${state.reason}` : ''}`;
    case 'skipped':
      if (state.byPerson) return pc.yellow('skipped by a person');
      return `${pc.yellow('skipped')}${state.reason ? `: ${state.reason}` : ''}`;
    case 'person': {
      if (state.outcome) return state.outcome;
      const left = leftSeconds(state.untilMs);
      return `${pc.magenta(`waiting for a person, ${left} s left`)} (send one: ${state.send})`;
    }
    case 'budget': {
      const left = leftSeconds(state.untilMs);
      const answers = `${raiseHint(state.id, state.limit)}, or council budget stop ${state.id}`;
      return `${pc.magenta(`waiting for a budget decision, ${left} s left`)} (${answers})`;
    }
  }
}

const ICONS: Record<ParticipantState['kind'], string> = {
  waiting: pc.dim('·'),
  thinking: pc.cyan('◐'),
  retrying: pc.yellow('↻'),
  done: pc.green('✔'),
  failed: pc.red('✖'),
  skipped: pc.yellow('–'),
  person: pc.magenta('?'),
  budget: pc.magenta('$'),
};

function liveRenderer(stream: NodeJS.WriteStream, answers: boolean): ProgressRenderer {
  const log = loadLogUpdate().createLogUpdate(stream, { showCursor: false });
  let lines: readonly ParticipantLine[] = [];
  /** The streamed text of those still answering, shown under their line. */
  const texts = new Map<string, string>();
  const render = () => {
    const width = Math.max(...lines.map((line) => line.name.length + line.role.length + 3), 0);
    const now = Date.now();
    const textWidth = Math.max(20, (stream.columns || 80) - 6);
    log(
      lines
        .flatMap((line) => {
          const text = texts.get(line.name);
          const answering = line.state.kind === 'thinking' || line.state.kind === 'retrying';
          const shown = answering && text ? liveTail(text, textWidth) : [];
          return [
            `  ${ICONS[line.state.kind]} ${printable(`${line.name} (${line.role})`).padEnd(width)}  ${printable(describe(line.state, now))}`,
            ...shown.map((row) => `    ${pc.dim('│')} ${row}`),
          ];
        })
        .join('\n'),
    );
  };
  // Elapsed times tick between polls.
  const timer = setInterval(render, 250);
  return {
    update(next) {
      lines = next;
      render();
    },
    answer(row) {
      texts.delete(row.name);
      if (!answers) return;
      log.clear();
      stream.write(`${formatAnswer(row, terminalWidth(stream))}\n`);
      render();
    },
    text(name, event) {
      texts.set(name, event.text);
      render();
    },
    stop() {
      texts.clear();
      clearInterval(timer);
      render();
      log.done();
    },
  };
}

function plainRenderer(stream: NodeJS.WriteStream, answers: boolean): ProgressRenderer {
  const last = new Map<string, string>();
  const streamed = new PlainLines();
  const key = (state: ParticipantState) =>
    state.kind === 'retrying'
      ? `retrying:${state.attempt}`
      : state.kind === 'failed'
        ? `failed:${state.reason}`
        : state.kind === 'person'
          ? `person:${state.untilMs}:${state.outcome ?? ''}`
          : state.kind === 'budget'
            ? `budget:${state.untilMs}`
            : state.kind;
  return {
    update(lines) {
      for (const line of lines) {
        const now = key(line.state);
        if (last.get(line.name) === now) continue;
        // Waiting is where everyone starts: not an event worth a line.
        if (!last.has(line.name) && line.state.kind === 'waiting') {
          last.set(line.name, now);
          continue;
        }
        // A failure is worth its line once its reason is known.
        if (line.state.kind === 'failed' && !line.state.reason) continue;
        last.set(line.name, now);
        stream.write(
          `[${new Date(line.atMs ?? Date.now()).toISOString().slice(11, 19)}] ${printable(`${line.name}: ${describe(line.state, undefined, line.atMs)}`)}\n`,
        );
      }
    },
    answer(row) {
      if (answers) stream.write(`\n${formatAnswer(row)}\n`);
    },
    text(name, event) {
      for (const line of streamed.take(event)) stream.write(`${printable(name)} │ ${line}\n`);
    },
    stop() {},
  };
}

/** Loaded for a live display only: a run without a terminal (pipes, CI, the bench) does without it. */
function loadLogUpdate(): typeof LogUpdate {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, see above
  return require('log-update') as typeof LogUpdate;
}
