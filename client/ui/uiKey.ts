import { lstatSync, openSync, closeSync, unlinkSync, writeSync, constants } from 'node:fs';
import path from 'node:path';
import { CouncilUserError } from '../../common/userError';
import { readTextBounded } from '../../storage/boundedRead';
import { makeDirectory } from '../../storage/directories';
import { newToken } from './guard';

/** The file in the data directory that keeps `council ui`'s access key between its starts. */
export const UI_KEY_FILE = 'ui-key';

const KEY_SHAPE = /^[0-9a-f]{48}$/;

/**
 * The access key of `council ui` for `dataDir`, made on first use and kept in {@link UI_KEY_FILE}
 * (mode 0600, in the data directory council makes 0700): a page left open, or the link kept, still
 * works after a restart. Delete the file to make a new key (a link that leaked stops working at the
 * next start). A key file that is no regular file of this user's is refused, never followed.
 */
export function keptUiKey(dataDir: string, triesLeft = 2): string {
  const file = path.join(dataDir, UI_KEY_FILE);
  const found = lstatSync(file, { throwIfNoEntry: false });
  if (found) {
    if (!found.isFile() || (process.getuid && found.uid !== process.getuid())) {
      throw new CouncilUserError(
        `${file} is not a file of yours: council keeps the key of \`council ui\` there`,
        'delete it, and start `council ui` again to make a new key',
      );
    }
    // A key is 49 bytes with its newline: a file past 4 KiB is refused, naming it. A key that other
    // users could read may have leaked: a new one replaces it.
    const kept = readTextBounded(file, 4096).trim();
    if (KEY_SHAPE.test(kept) && (found.mode & 0o077) === 0) return kept;
    unlinkSync(file);
  }
  makeDirectory(dataDir);
  const key = newToken();
  // Made here, never through a link, readable by this user only from its first byte.
  let fd: number;
  try {
    fd = openSync(
      file,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    );
  } catch (error) {
    // Another `council ui` of this data directory made it first: its key is the one.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST' && triesLeft > 0) {
      return keptUiKey(dataDir, triesLeft - 1);
    }
    throw error;
  }
  try {
    writeSync(fd, `${key}\n`);
  } finally {
    closeSync(fd);
  }
  return key;
}
