import type { z } from 'zod';

/** A zod issue path as a person writes it: `participants[2].role`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/**
 * A message as written, less the blank lines before it and the whitespace after it: `.trim()` also
 * took the first line's indentation of a message that opens with indented code.
 */
export function tidyMessage(text: string): string {
  return text.replace(/^\s*\n/, '').trimEnd();
}

/**
 * Whether a reader sees anything of `text`: a character besides white space, controls and format
 * marks (zero-width spaces, a byte-order mark). An empty text passes: "empty" says more about it.
 */
export function showsSomething(text: string): boolean {
  return text === '' || /[^\s\p{Cc}\p{Cf}\p{Z}]/u.test(text);
}

/** What a text that shows nothing is told, after what it is (`the message`, `task`). */
export const SHOWS_NOTHING = 'holds only invisible characters (white space, controls, zero-width marks)';

/** Every zod issue as `path: message`, joined: what is wrong and where (see {@link readableIssues}). */
export function zodProblem(error: z.ZodError): string {
  return readableIssues(error)
    .map((issue) => `${formatPath(issue.path)}: ${issue.message}`)
    .join('; ');
}

/** An issue as a person reads it. */
export interface ReadableIssue {
  path: PropertyKey[];
  message: string;
  /** The keys zod did not expect, for an `unrecognized_keys` issue. */
  keys?: string[];
}

/**
 * zod's issues, one per mistake, in words. A value that fails its type or an early check also fails
 * the checks after it ("" is empty, then only whitespace, then not a name): the first issue at a path
 * is the mistake, and the ones after it are dropped unless both are a schema's own refinements.
 * Integer checks get words that name the value (`input`: the data parsed, for looking it up): zod says
 * "Invalid input: expected int" for a fraction, and reports any number past 2^53 as beyond the safe
 * integers, even where a schema gave its int check its own message.
 */
export function readableIssues(error: z.ZodError, input?: unknown): ReadableIssue[] {
  const kept: z.core.$ZodIssue[] = [];
  for (const issue of error.issues) {
    const key = pathKey(issue);
    const first = kept.find((earlier) => pathKey(earlier) === key);
    if (first === undefined) kept.push(issue);
    else if (isSafeIntegerBound(first)) kept[kept.indexOf(first)] = issue;
    else if (first.code === 'custom' && issue.code === 'custom') kept.push(issue);
  }
  return kept.map((issue) => ({
    path: issue.path,
    message:
      integerWords(issue, valueAt(input, issue.path)) ??
      missingWords(issue) ??
      missingChoiceWords(issue, input) ??
      unknownKeyWords(issue) ??
      issue.message,
    ...(issue.code === 'unrecognized_keys' && { keys: issue.keys }),
  }));
}

function pathKey(issue: z.core.$ZodIssue): string {
  return `${issue.code === 'unrecognized_keys' ? 'keys' : 'value'} ${formatPath(issue.path)}`;
}

function isSafeIntegerBound(issue: z.core.$ZodIssue): boolean {
  return (
    (issue.code === 'too_big' && issue.maximum === Number.MAX_SAFE_INTEGER) ||
    (issue.code === 'too_small' && issue.minimum === Number.MIN_SAFE_INTEGER)
  );
}

function integerWords(issue: z.core.$ZodIssue, value: unknown): string | undefined {
  const shown = typeof value === 'number' ? String(value) : 'the number';
  if (isSafeIntegerBound(issue)) return `${shown} is too large to be counted exactly: pick a smaller number`;
  if (
    issue.code === 'invalid_type' &&
    issue.expected === 'int' &&
    issue.message.startsWith('Invalid input')
  ) {
    return `${shown} is not a whole number`;
  }
  return undefined;
}

/** What a required field that is absent should be, in words. */
const KIND_WORDS: Record<string, string> = {
  object: 'an object',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
};

/** zod says "Invalid input: expected object, received undefined" where a required field is absent. */
function missingWords(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code !== 'invalid_type' || !/received undefined$/.test(issue.message)) return undefined;
  return `missing: it is required (${KIND_WORDS[issue.expected] ?? issue.expected})`;
}

/**
 * zod says "Invalid option: expected one of …" where a field that takes one of some values is absent,
 * as if a wrong one were given: told apart by the input, when the reader has it.
 */
function missingChoiceWords(issue: z.core.$ZodIssue, input: unknown): string | undefined {
  if (issue.code !== 'invalid_value' || input === undefined || valueAt(input, issue.path) !== undefined)
    return undefined;
  const choices = /expected (.+)$/.exec(issue.message)?.[1];
  return choices ? `missing: it is required (${choices})` : undefined;
}

/** Keys people write where council takes another, and what it takes. */
const KEY_HINTS: Record<string, string> = {
  apiKey:
    "a key never goes into a config, which reaches the workflow's history: set the provider's variable " +
    '(OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY) where the worker runs, or name another with apiKeyEnv',
  maxAttempts: 'retry takes maximumAttempts',
};

function unknownKeyWords(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code !== 'unrecognized_keys') return undefined;
  const hints = issue.keys.flatMap((key) =>
    Object.hasOwn(KEY_HINTS, key) ? [`"${key}": ${KEY_HINTS[key]}`] : [],
  );
  return hints.length > 0 ? `${issue.message} (${hints.join('; ')})` : undefined;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** The outcome of {@link parseJsonAs}: the data, or why not (`notJson`: the text did not even parse). */
export type JsonParseResult<T> =
  { success: true; data: T } | { success: false; notJson: boolean; problem: string };

/** Parses `text` as JSON and checks it against `schema`; a problem says what is wrong and where. */
export function parseJsonAs<T>(schema: z.ZodType<T>, text: string): JsonParseResult<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { success: false, notJson: true, problem: (error as Error).message };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { success: true, data: parsed.data };
  return { success: false, notJson: false, problem: zodProblem(parsed.error) };
}

/** Records a custom problem at `path` in a `superRefine` check: what is wrong and how to fix it. */
export function addProblem(ctx: z.RefinementCtx, path: PropertyKey[], message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

/**
 * Reports an option that `mode` never reads, named by the last key of `path`: "hedge applies to
 * parallel mode only (this council is "sequential")", then `fix` (e.g. ": remove it").
 */
export function checkModeOnly(
  ctx: z.RefinementCtx,
  path: PropertyKey[],
  modes: readonly string[],
  mode: string,
  fix = '',
): void {
  if (modes.includes(mode)) return;
  const option = String(path[path.length - 1]);
  addProblem(
    ctx,
    path,
    `${option} applies to ${modes.join(', ')} mode only (this council is "${mode}")${fix}`,
  );
}
