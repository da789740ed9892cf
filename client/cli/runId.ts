import { CouncilUserError } from '../../common/userError';
import { printable } from './sanitize';

/**
 * A new id for a `run`: sortable by time, readable, unique enough for one person's history. In a
 * module of its own so `council run` can print it before loading the Temporal SDK.
 */
export function newRunId(prefix: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${prefix}-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Temporal's default limit on a workflow id and a task queue name (the server's `limit.maxIDLength`,
 * 1,000 bytes), less the `council-` a run that serves itself puts before its id to name its queue.
 */
export const MAX_RUN_ID_BYTES = 1000 - 'council-'.length;

/**
 * Letters and digits of any script and a few marks: an id the CLI prints in hints (`council attach
 * ID`) must paste back into a shell as one word, and show in a table as it is.
 */
const RUN_ID = /^[\p{L}\p{M}\p{N}._:@=+/,-]+$/u;
const RUN_ID_CHARACTERS = 'letters, digits and . _ - : @ = + / ,';

/**
 * The id given with `flag` for a new run, checked before anything is printed or started: the server
 * refuses an empty or overlong one only once the run has been announced.
 */
export function checkedRunId(id: string, flag = '--id', example = `${flag} review-1`): string {
  const leaveOut = flag.startsWith('--') ? `, or leave ${flag} out for a generated id` : '';
  const fix = `use ${RUN_ID_CHARACTERS}, e.g. ${example}${leaveOut}`;
  const bytes = Buffer.byteLength(id, 'utf8');
  if (bytes > MAX_RUN_ID_BYTES) {
    throw new CouncilUserError(
      `${flag} is ${bytes} bytes long, over the ${MAX_RUN_ID_BYTES} a run's id may have`,
      fix,
    );
  }
  if (!RUN_ID.test(id)) {
    const what = id === '' ? 'is empty' : `"${printable(id)}" holds a space or a sign an id cannot hold`;
    throw new CouncilUserError(`${flag} ${what}`, fix);
  }
  return id;
}
