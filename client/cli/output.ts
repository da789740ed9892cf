import Table from 'cli-table3';
import pc from 'picocolors';
import type { CallRecord } from '../../common/council';
import { SKIPPED_BY_PERSON } from '../../common/failures';
import { addUsage, ZERO_USAGE, type TokenUsage } from '../../common/llm';
import { printable } from '../../common/printable';
import { terminalWidth, wrapText } from './wrap';
import { detachedExitCode, detachWith, ExitCode } from './exitCode';
import { JSON_SCHEMA_VERSION, type JsonDocument } from './jsonOutput';

/** Exit codes: success, error (nothing or nothing useful ran), partial failure (some participants failed). */
export { ExitCode };

/**
 * One participant's (or expert's, or the synthesizer's) outcome, as every command prints it; under a
 * budget, what the budget charged the call and where it sent it.
 */
export interface AnswerRow extends CallRecord {
  name: string;
  role: string;
  status: 'ok' | 'failed' | 'skipped';
  /** A hedged council's expert whose backup answered first: the backup's name. */
  hedgedBy?: string;
  /** A session response's kind (`synthesis`, `assignment`); absent for a plain answer. */
  kind?: string;
}

/** 0 when every participant answered, 2 when some did, 1 when none did. */
export function exitCodeOf(rows: readonly AnswerRow[]): ExitCode {
  const ok = rows.filter((row) => row.status === 'ok').length;
  if (ok === rows.length) return ExitCode.Ok;
  return ok === 0 ? ExitCode.Error : ExitCode.Partial;
}

/** A run's outcome as JSON documents spell it: ok, partial (some failed) or failed. */
export function outcomeOf(code: ExitCode): 'ok' | 'partial' | 'failed' {
  return code === ExitCode.Ok ? 'ok' : code === ExitCode.Partial ? 'partial' : 'failed';
}

/**
 * Why a call gave no answer: `said` after its name, `why` (its error's type and message) after that.
 * A person's skip is said as such: its error's type and message would say "skipped" twice.
 */
export function noAnswerWords(
  status: string,
  error?: { type: string; message: string },
): { said: string; why?: string } {
  if (error?.type === SKIPPED_BY_PERSON) return { said: 'skipped by a person' };
  return error ? { said: status, why: `${error.type}: ${error.message}` } : { said: status };
}

/** {@link noAnswerWords} as one line's words. */
export function noAnswerText(status: string, error?: { type: string; message: string }): string {
  const { said, why } = noAnswerWords(status, error);
  return why ? `${said}: ${why}` : said;
}

/** A participant's answer as a block: a heading line, then the text, wrapped to `width` when given. */
export function formatAnswer(row: AnswerRow, width?: number): string {
  // Names, answers and errors come from models and people: cleaned before our own colours go on.
  const label = [row.role, row.kind, row.downgradedTo && `downgraded to ${row.downgradedTo}`]
    .filter(Boolean)
    .join(', ');
  const heading = `${pc.bold(printable(row.name))} ${pc.dim(`(${printable(label)})`)}`;
  if (row.status === 'ok') return `${heading}\n${wrapText(printable(row.content.trim()), width)}\n`;
  const { said, why } = noAnswerWords(row.status, row.error);
  return `${heading} ${pc.red(said)}${why ? `: ${printable(why)}` : ''}\n`;
}

/**
 * The token-usage table with a total row, and under it `elapsedMs` when known: the time the answers
 * took (a round that ended before it was followed has none).
 */
export function formatUsage(rows: readonly AnswerRow[], elapsedMs?: number): string {
  // With several workers on a queue, which one made a call says whose keys and network it used.
  const workers = rows.some((row) => row.servedBy !== undefined);
  const table = new Table({
    head: ['Participant', 'Role', 'Status', 'Input', 'Output', 'Total', ...(workers ? ['Worker'] : [])],
    colAligns: ['left', 'left', 'left', 'right', 'right', 'right', 'left'],
    style: { head: [], border: [], compact: true },
  });
  for (const row of rows) {
    const usage = row.tokenUsage;
    table.push([
      printable(row.name),
      row.role,
      row.status,
      usage.inputTokens,
      usage.outputTokens,
      usage.totalTokens,
      ...(workers ? [printable(row.servedBy ?? '')] : []),
    ]);
  }
  const total = totalUsage(rows);
  const columns = workers ? 7 : 6;
  table.push([{ colSpan: columns, content: '' }]);
  table.push([
    'Total',
    '',
    '',
    total.inputTokens,
    total.outputTokens,
    total.totalTokens,
    ...(workers ? [''] : []),
  ]);
  const time = elapsedMs === undefined ? '' : `\nTotal time: ${(elapsedMs / 1000).toFixed(1)} s`;
  return `${table.toString()}${time}`;
}

export function totalUsage(rows: readonly AnswerRow[]): TokenUsage {
  return rows.reduce((sum, row) => addUsage(sum, row.tokenUsage), { ...ZERO_USAGE });
}

/** A plain table for listings (sessions, schedules). */
export function formatTable(head: string[], rows: Array<Array<string | number>>): string {
  const table = new Table({ head, style: { head: [], border: [], compact: true } });
  // Cells hold what people and models wrote (questions, names, ids from the server).
  table.push(...rows.map((row) => row.map((cell) => (typeof cell === 'string' ? printable(cell) : cell))));
  return table.toString();
}

/** Where a command writes: results to stdout, and, with --json, progress to stderr. */
export interface Output {
  json: boolean;
  /** The terminal's width when stdout is one (answers wrap to it); undefined when piped. */
  width: number | undefined;
  /** A line for people; goes to stderr in --json mode so stdout stays one JSON document. */
  say(text: string): void;
  /** The one JSON document of a --json run, in one of the shapes of jsonOutput.ts. */
  result(value: JsonDocument): void;
}

/** Whether this process printed a `--json` document: a command that then fails prints no second one. */
let documentPrinted = false;

/** See {@link documentPrinted}. */
export function jsonDocumentPrinted(): boolean {
  return documentPrinted;
}

/** Dollars with four decimals, or as many as an amount under $0.0001 needs to show two digits. */
export function formatUsd(usd: number): string {
  const decimals = usd > 0 && usd < 0.0001 ? 1 - Math.floor(Math.log10(usd)) : 4;
  return `$${usd.toFixed(Math.min(decimals, 20))}`;
}

/** A command's output: lines for people, and with `json` its one document on stdout. */
export function createOutput(json: boolean): Output {
  return {
    json,
    width: json ? undefined : terminalWidth(process.stdout),
    say: (text) => (json ? process.stderr : process.stdout).write(`${text}\n`),
    result(value) {
      // After Ctrl-C's `detached` document the process closes for up to two seconds: it stays the last.
      if (detachedExitCode() !== undefined) return;
      if (value.type === 'detached') detachWith(value.exitCode);
      documentPrinted = true;
      process.stdout.write(`${JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, ...value }, null, 2)}\n`);
    },
  };
}
