import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readTextBounded } from '../../storage/boundedRead';
import { makeDirectory } from '../../storage/directories';
import { newToken } from './guard';

/** The file in the data directory that keeps `council ui`'s access key between its starts. */
export const UI_KEY_FILE = 'ui-key';

const KEY_SHAPE = /^[0-9a-f]{48}$/;

/**
 * The access key of `council ui` for `dataDir`, made on first use and kept in {@link UI_KEY_FILE}
 * (mode 0600, in the data directory council makes 0700): a page left open, or the link kept, still
 * works after a restart. Only the machine's user who owns the data directory can read it. Delete the
 * file to make a new key (a link that leaked stops working at the next start).
 */
export function keptUiKey(dataDir: string): string {
  const file = path.join(dataDir, UI_KEY_FILE);
  // A key is 49 bytes with its newline: a file past 4 KiB is refused, naming it.
  const kept = existsSync(file) ? readTextBounded(file, 4096).trim() : '';
  if (KEY_SHAPE.test(kept)) {
    chmodSync(file, 0o600);
    return kept;
  }
  makeDirectory(dataDir);
  const key = newToken();
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}
