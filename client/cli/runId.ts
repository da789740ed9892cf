import { CouncilUserError } from '../../common/userError';
import { printable } from '../../common/printable';
import { MAX_RUN_ID_BYTES, RUN_ID_CHARACTERS, RUN_ID_PATTERN } from '../api/runIdRule';

/**
 * A new id for a `run`: sortable by time, readable, unique enough for one person's history. In a
 * module of its own so `council run` can print it before loading the Temporal SDK.
 */
export function newRunId(prefix: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${prefix}-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

/** What Temporal puts after a schedule's id to name each run it starts: `-2026-12-05T07:00:00Z`. */
const SCHEDULED_RUN_SUFFIX_BYTES = '-2026-12-05T07:00:00Z'.length;

/** The most bytes a schedule's id may have: its runs' ids are it and their start time. */
export const SCHEDULE_ID_LIMIT = {
  bytes: MAX_RUN_ID_BYTES - SCHEDULED_RUN_SUFFIX_BYTES,
  of: "a schedule's id (its runs are <id>-<time>)",
};

/**
 * The id given with `flag` for a new run, checked before anything is printed or started: the server
 * refuses an empty or overlong one only once the run has been announced.
 */
export function checkedRunId(
  id: string,
  flag = '--id',
  example = `${flag} review-1`,
  limit = { bytes: MAX_RUN_ID_BYTES, of: "a run's id" },
): string {
  const leaveOut = flag.startsWith('--') ? `, or leave ${flag} out for a generated id` : '';
  const fix = `use ${RUN_ID_CHARACTERS}, e.g. ${example}${leaveOut}`;
  const bytes = Buffer.byteLength(id, 'utf8');
  if (bytes > limit.bytes) {
    throw new CouncilUserError(
      `${flag} is ${bytes} bytes long, over the ${limit.bytes} ${limit.of} may have`,
      fix,
    );
  }
  if (!RUN_ID_PATTERN.test(id)) {
    const what = id === '' ? 'is empty' : `"${printable(id)}" holds a space or a sign an id cannot hold`;
    throw new CouncilUserError(`${flag} ${what}`, fix);
  }
  // The hints print `council attach ID`: a command line reads an id that begins with a dash as a flag.
  if (id.startsWith('-')) {
    throw new CouncilUserError(
      `${flag} "${printable(id)}" begins with a dash, which a command reads as a flag`,
      fix,
    );
  }
  return id;
}
