import { z } from 'zod';

/** The longest name of a participant, expert, synthesizer or person: it goes into every prompt. */
export const MAX_NAME_CHARS = 64;

/**
 * Characters no name may hold: control characters (terminal escapes, line breaks, NUL), invisible
 * format characters (bidi overrides that reorder what a terminal or a model shows), other characters
 * shown as nothing (variation selectors, the combining grapheme joiner: two names would look the
 * same), line and paragraph separators, and commas (the "You are NAME, taking part as…" line is read
 * back by name).
 */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp},]/u;

/** Control and invisible characters: what no name may hold, whatever else its rule allows. */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}]/u;

/** A name field of a file written by hand, held to the part of the rule every name ever met. */
export function visibleName(field: string, schema: z.ZodString) {
  return schema.refine(
    (name) => !HIDDEN.test(name),
    `${field} must not contain control characters or invisible ones`,
  );
}

/**
 * The one name rule every schema uses (session participants, council experts, synthesizer, people
 * who message a council): 1-64 characters, something visible, no control or invisible characters.
 * Names are shown to models and printed on terminals, so they must not carry structure or escapes.
 */
export function nameSchema(what = 'name') {
  return z
    .string()
    .min(1, `${what} is empty: give it a name, e.g. "Analyst"`)
    .max(MAX_NAME_CHARS, `${what} is longer than ${MAX_NAME_CHARS} characters: shorten it`)
    .refine((name) => name.trim() !== '', `${what} is only whitespace: give it visible characters`)
    .refine(
      (name) => !FORBIDDEN.test(name),
      `${what} must not contain control characters (escapes, line breaks, tabs), invisible formatting characters or commas`,
    );
}

/**
 * What two names must not share: names that differ only in case, or in how an accent is encoded
 * (precomposed or combining), look alike to people and to models, and the strategies that read a
 * name back from a model's answer (an assignment's `Name: task`, a selector's pick) read it
 * without regard to case.
 */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** A name given again in a list (or one looking like it, see {@link nameKey}): where, and the first. */
export interface RepeatedName {
  name: string;
  index: number;
  first: number;
  firstName: string;
}

/** Every name of `names` that repeats or looks like an earlier one, in order. */
export function repeatedNames(names: readonly string[]): RepeatedName[] {
  const firstIndex = new Map<string, number>();
  const repeated: RepeatedName[] = [];
  names.forEach((name, index) => {
    const key = nameKey(name);
    const first = firstIndex.get(key);
    if (first === undefined) firstIndex.set(key, index);
    else repeated.push({ name, index, first, firstName: names[first] ?? '' });
  });
  return repeated;
}

/** What is said of a repeated participant name, after its path. */
export function repeatedNameProblem({ name, first, firstName }: RepeatedName): string {
  if (name === firstName)
    return `duplicate name "${name}" (also participants[${first}].name): names must be unique`;
  return (
    `name "${name}" differs from participants[${first}].name "${firstName}" only in case or accents' ` +
    'encoding: names must be unique, and look unique'
  );
}

/**
 * Names a session participant may not take: a session's transcript, its `show` and its usage table
 * already name the person's message (`user`), system instructions (`system`) and the selector's
 * notes and calls (`selector`) so.
 */
export const RESERVED_PARTICIPANT_NAMES: readonly string[] = ['user', 'system', 'selector'];

/**
 * What is wrong with a session participant's name past the schema's rules, or undefined: a name the
 * transcript already uses, or one with white space at an end (an address without it named the other
 * participant). Checked by the client and the config reader, not by the schema the workflow validates
 * with: a run started before the check must replay as it ran.
 */
export function participantNameProblem(name: string): string | undefined {
  if (name !== name.trim()) return `name "${name}" starts or ends with white space: remove it`;
  if (RESERVED_PARTICIPANT_NAMES.includes(nameKey(name))) {
    return `name "${name}" is reserved: the transcript names the question, system instructions and the selector so; pick another`;
  }
  return undefined;
}
