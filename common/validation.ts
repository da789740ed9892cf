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

/** Every zod issue as `path: message`, joined: what is wrong and where. */
export function zodProblem(error: z.ZodError): string {
  return error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('; ');
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
