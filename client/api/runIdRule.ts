import { CONTROLS, printable } from '../../common/printable';
import { CouncilUserError } from '../../common/userError';

/** Temporal's default limit on a workflow id and a task queue name (the server's `limit.maxIDLength`). */
const TEMPORAL_MAX_ID_BYTES = 1000;

/** Temporal's limit less the `council-` a run that serves itself puts before its id to name its queue. */
export const MAX_RUN_ID_BYTES = TEMPORAL_MAX_ID_BYTES - 'council-'.length;

/**
 * Letters and digits of any script and a few marks: an id the CLI prints in hints (`council attach
 * ID`) must paste back into a shell as one word, and show in a table as it is.
 */
export const RUN_ID_PATTERN = /^[\p{L}\p{M}\p{N}._:@=+/,-]+$/u;
export const RUN_ID_CHARACTERS = 'letters, digits and . _ - : @ = + / ,';

/** True for an id a council run may have: the rule the CLI checks and the Web UI serves. */
export function isRunId(id: string): boolean {
  return RUN_ID_PATTERN.test(id) && Buffer.byteLength(id, 'utf8') <= MAX_RUN_ID_BYTES;
}

/**
 * Why `id` can name no run at all, for a lookup (`findRun`, `attach`): no string (a caller without a
 * type check), empty, or longer than the server takes. Undefined when it may: runs started from code
 * may have ids the CLI would not give.
 */
export function lookupIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string') return `an id must be a string, not ${typeof id}`;
  if (id === '') return 'an empty id names no session or council';
  const bytes = Buffer.byteLength(id, 'utf8');
  if (bytes > TEMPORAL_MAX_ID_BYTES) {
    return `an id of ${bytes} bytes names no session or council: Temporal takes at most ${TEMPORAL_MAX_ID_BYTES}`;
  }
  return undefined;
}

/** What no id may hold: CONTROLS (common/printable.ts), and the tab and line feed text may hold. */
const ID_CONTROLS = new RegExp(`${CONTROLS.source}|[\\t\\n]`);

/**
 * The id given for a new run started from code (`sessionId`, `councilId` in `field`), checked before
 * anything is sent: not a string, empty, or longer than the server takes is a CouncilUserError (the
 * SDK's own errors say only "Failed to start Workflow"), and so is one holding a control character.
 * Other ids are the caller's to choose. `required`: the caller has no generated id to fall back on.
 */
export function checkedNewRunId(id: unknown, field: string, { required = false } = {}): string {
  const size = `a string of 1 to ${TEMPORAL_MAX_ID_BYTES} bytes`;
  const fix = required
    ? `pass ${size}: it is required here`
    : `pass ${size}, or leave ${field} out for a generated id`;
  if (required && id === undefined) throw new CouncilUserError(`${field} is missing`, fix);
  if (typeof id !== 'string') throw new CouncilUserError(`${field} must be a string, not ${typeof id}`, fix);
  if (id === '') throw new CouncilUserError(`${field} is empty`, fix);
  const bytes = Buffer.byteLength(id, 'utf8');
  if (bytes > TEMPORAL_MAX_ID_BYTES) {
    throw new CouncilUserError(
      `${field} is ${bytes} bytes long: Temporal takes at most ${TEMPORAL_MAX_ID_BYTES}`,
      fix,
    );
  }
  const control = ID_CONTROLS.exec(id)?.[0];
  if (control !== undefined) {
    const code = `U+${control.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`;
    throw new CouncilUserError(
      `${field} "${printable(id)}" holds a control character (${code}), which no list shows nor command line passes`,
      fix,
    );
  }
  return id;
}
