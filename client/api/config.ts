import type { z } from 'zod';
import { councilContextSchema, type CouncilContextInput, type CouncilMode } from '../../common/council';
import { formatBytes, INPUT_LIMITS } from '../../common/inputLimits';
import { strictJsonError } from './strictJson';
import type { OrchestrationStrategy } from '../../common/participants';
import type { PeriodBudget } from '../../common/periodBudget';
import type { SessionConfig } from '../../common/session';
import { formatPath, readableIssues } from '../../common/validation';
import { councilNameClashes, withSynthesizerApart } from '../../common/councilRouting';
import {
  FileTooLargeError,
  NotUtf8Error,
  readFailureWords,
  readTextBounded,
} from '../../storage/boundedRead';
import { councilFileSchema, sessionFileSchema } from './configSchema';
import { keyNode, loadYaml, nearestNode } from './yamlNodes';
import { CouncilUserError } from '../../common/userError';

export { configFileSchema, configJsonSchema, councilFileSchema, sessionFileSchema } from './configSchema';

/** A validated config: what `council run` starts. */
export type CouncilConfig =
  | { kind: 'session'; session: SessionConfig; question?: string; periodBudget?: PeriodBudget }
  | {
      kind: 'council';
      context: Omit<CouncilContextInput, 'task'>;
      task?: string;
      periodBudget?: PeriodBudget;
    };

/** Command-line settings that win over the file's. */
export interface ConfigOverrides {
  strategy?: OrchestrationStrategy;
  mode?: CouncilMode;
}

/** Why a config file could not be read, in words, for the usual error codes. */
/** Reads, parses (YAML or JSON) and validates a config file; every problem names its line and path. */
export function loadConfigFile(file: string, overrides: ConfigOverrides = {}): CouncilConfig {
  return parseConfigText(readConfigFile(file), file, overrides);
}

/** A config file's text, read within its bound; why it cannot be read, in words. */
export function readConfigFile(file: string): string {
  try {
    // A huge file must not cost its size in memory and parse time, nor a pipe that never ends.
    return readTextBounded(file, INPUT_LIMITS.maxConfigFileBytes);
  } catch (error) {
    if (error instanceof FileTooLargeError) throw oversized(file);
    if (error instanceof NotUtf8Error) throw new CouncilUserError(error.message, error.hint);
    throw new CouncilUserError(
      `cannot read config file ${file}: ${readFailureWords(error)}`,
      'name a YAML or JSON config file',
    );
  }
}

/**
 * Parses (YAML or JSON) and validates a config's text; every problem names `source` (a file name, or
 * where the text came from) and its line. Used for files, and for a config pasted in `council ui`.
 */
export function parseConfigText(
  text: string,
  source: string,
  overrides: ConfigOverrides = {},
): CouncilConfig {
  const { LineCounter, parseDocument } = loadYaml();
  const lineCounter = new LineCounter();
  // Merge keys (`<<: *shared`) let participants share settings; the alias guard still bounds them.
  const doc = parseDocument(text, { lineCounter, merge: true });
  // JSON's own words for a .json file, asked only once the YAML reader has found a problem.
  const jsonError = (fallbackAt?: string) =>
    /\.json$/i.test(source) ? strictJsonError(text, source, fallbackAt) : undefined;
  const syntax = doc.errors[0];
  if (syntax) {
    const line = syntax.linePos?.[0];
    const json = jsonError(line && `${line.line}:${line.col}`);
    if (json) throw json.error;
    // The message's first line, without the position (given up front) and the code frame under it.
    const first = (syntax.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    // The parser gives up on deep nesting with the engine's own words.
    const message = /Maximum call stack size exceeded/.test(first)
      ? 'nested too deeply to read: a config is a few levels of keys and lists'
      : first;
    throw new CouncilUserError(`${source}${line ? `:${line.line}:${line.col}` : ''}: ${message}`);
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    // The parser's guard against alias bombs, in its own words: the file's name says which config.
    throw new CouncilUserError(
      `${source}: ${(error as Error).message}`,
      'write the values out, not as aliases',
    );
  }
  try {
    return validateConfig(data, overrides, (issuePath) => {
      const node = keyNode(doc, issuePath) ?? doc.getIn(issuePath, true) ?? nearestNode(doc, issuePath);
      const offset = (node as { range?: [number, number, number] } | undefined)?.range?.[0];
      return offset === undefined ? source : `${source}:${lineCounter.linePos(offset).line}`;
    });
  } catch (error) {
    // YAML reads a `//` comment as part of the next key (an unknown key): JSON's words say what it is.
    const json = jsonError();
    throw json?.comment ? json.error : error;
  }
}

/**
 * Validates a parsed config (from a file or built in code) with the command-line overrides applied.
 * `where` names the place of an issue (file and line) in the error message.
 */
export function validateConfig(
  raw: unknown,
  overrides: ConfigOverrides = {},
  where: (path: PropertyKey[]) => string = () => 'config',
): CouncilConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CouncilUserError(
      `${where([])}: a config must be a mapping: a session's with "strategy" and "participants", ` +
        `or a council's with kind: council, "mode" and "activeExperts"`,
      'see examples/ for one of each, and `council config schema`',
    );
  }
  const input = raw as Record<string, unknown>;
  if (input.kind !== undefined && input.kind !== 'session' && input.kind !== 'council') {
    throw new CouncilUserError(
      `${where(['kind'])}: kind: ${JSON.stringify(input.kind)} is neither "session" nor "council"`,
      'write kind: council for a council, kind: session (or no kind) for a session',
    );
  }
  const isCouncil = input.kind === 'council' || (input.kind === undefined && 'mode' in input);
  // With no kind, a stray `mode` in a session config made it a council, and every error named a
  // session key as unknown: say which keys disagree instead.
  const sessionKeys = ['strategy', 'participants'].filter((key) => key in input);
  if (input.kind === undefined && 'mode' in input && sessionKeys.length > 0) {
    throw new CouncilUserError(
      `${where(['mode'])}: "mode" is a council's, and ${sessionKeys.map((key) => `"${key}"`).join(' and ')} a session's`,
      "remove mode for a session (its strategy says how it plays), or write kind: council with a council's keys",
    );
  }
  // A file's fields may hold under its own mode only: an error then says the flag replaced it.
  const replaced =
    overrides.mode !== undefined && typeof input.mode === 'string' && overrides.mode !== input.mode
      ? `--mode ${overrides.mode} replaced the file's mode, ${input.mode}: leave --mode out, or remove the fields named`
      : undefined;
  const fail = (error: z.ZodError) => {
    const text = problems(error, input, where);
    // Only a field of another mode's (common/validation.ts checkModeOnly) is the flag's doing.
    return new CouncilUserError(text, / mode only \(this council is /.test(text) ? replaced : undefined);
  };
  if (isCouncil && overrides.strategy) {
    throw new CouncilUserError(`--strategy is for sessions, and this config is a council`, 'use --mode');
  }
  if (!isCouncil && overrides.mode) {
    throw new CouncilUserError(`--mode is for councils, and this config is a session`, 'use --strategy');
  }
  if (isCouncil) {
    // An unnamed synthesizer beside an expert with the default name takes another (the seed's sample).
    const experts: unknown = input.activeExperts;
    const synthesisConfig = withSynthesizerApart(
      input.synthesisConfig,
      Array.isArray(experts) ? experts : [],
    );
    const parsed = councilFileSchema.safeParse({
      ...input,
      kind: 'council',
      ...(synthesisConfig !== undefined && { synthesisConfig }),
      ...pick(overrides, 'mode'),
    });
    if (!parsed.success) throw fail(parsed.error);
    const { task, periodBudget, ...context } = withoutFileKeys(parsed.data);
    // The context's own cross-field rules (unique ids, two experts to debate) run on the full context.
    const full = councilContextSchema.safeParse({ ...context, task: task ?? 'placeholder task' });
    if (!full.success) throw fail(full.error);
    const clashes = councilNameClashes(full.data);
    if (clashes.length > 0) {
      const lines = clashes.map(({ path, message }) => `${where(path)}: ${formatPath(path)}: ${message}`);
      throw new CouncilUserError(listed(lines));
    }
    return { kind: 'council', context, ...(task ? { task } : {}), ...(periodBudget ? { periodBudget } : {}) };
  }
  const parsed = sessionFileSchema.safeParse({ ...input, ...pick(overrides, 'strategy') });
  if (!parsed.success) throw fail(parsed.error);
  const { question, periodBudget, ...session } = withoutFileKeys(parsed.data);
  return {
    kind: 'session',
    session,
    ...(question ? { question } : {}),
    ...(periodBudget ? { periodBudget } : {}),
  };
}

/** The strategy or mode a config runs under. */
export function configShape(config: CouncilConfig): string {
  return config.kind === 'session' ? config.session.strategy : config.context.mode;
}

/** The data without the keys only a file has (`$schema`, `kind`). */
function withoutFileKeys<T extends { $schema?: string; kind?: string }>(
  data: T,
): Omit<T, '$schema' | 'kind'> {
  return Object.fromEntries(
    Object.entries(data).filter(([key]) => key !== '$schema' && key !== 'kind'),
  ) as Omit<T, '$schema' | 'kind'>;
}

function problems(error: z.ZodError, input: unknown, where: (path: PropertyKey[]) => string): string {
  const lines = readableIssues(error, input).map((issue) => {
    // An unknown key is reported on the mapping that holds it: its line is the key's own.
    const at = issue.keys ? [...issue.path, ...issue.keys.slice(0, 1)] : issue.path;
    return `${where(at)}: ${formatPath(issue.path)}: ${issue.message}`;
  });
  return listed(lines);
}

/** One problem, or several on one line: the CLI prints an error as one line. */
function listed(lines: string[]): string {
  return lines.length === 1 ? (lines[0] ?? '') : `invalid config: ${lines.join('; ')}`;
}

function oversized(file: string): CouncilUserError {
  const cap = formatBytes(INPUT_LIMITS.maxConfigFileBytes);
  return new CouncilUserError(
    `${file} holds more than ${cap}: config files may be at most ${cap}`,
    'a config names participants and prompts; put long material in the question or the task instead',
  );
}

function pick<K extends keyof ConfigOverrides>(overrides: ConfigOverrides, key: K): Partial<ConfigOverrides> {
  return overrides[key] === undefined ? {} : { [key]: overrides[key] };
}
