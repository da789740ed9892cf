import { CouncilUserError } from '../../common/userError';
import { printable } from './sanitize';
import { MAX_RUN_ID_BYTES, RUN_ID_CHARACTERS, RUN_ID_PATTERN } from '../api/runIdRule';

/**
 * A new id for a `run`: sortable by time, readable, unique enough for one person's history. In a
 * module of its own so `council run` can print it before loading the Temporal SDK.
 */
export function newRunId(prefix: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${prefix}-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

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
  if (!RUN_ID_PATTERN.test(id)) {
    const what = id === '' ? 'is empty' : `"${printable(id)}" holds a space or a sign an id cannot hold`;
    throw new CouncilUserError(`${flag} ${what}`, fix);
  }
  return id;
}
