import { writeFileSync } from 'node:fs';
import { CouncilUserError } from '../../common/userError';

/** Why a file could not be written, in words, for the usual error codes. */
const WRITE_FAILURES: Record<string, string> = {
  ENOENT: 'no such directory',
  ENOTDIR: 'a part of its path is not a directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EROFS: 'the file system is read-only',
};

/**
 * Writes `text` to a file a person named (`--out`, `--save`): one that cannot be written is a user
 * error naming it, why, and what to do, not Node's "ENOENT: no such file or directory, open …".
 */
export function writeUserFile(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const reason = WRITE_FAILURES[code] ?? (error as Error).message;
    const hint = 'pick a file in a directory that exists and you may write to';
    throw new CouncilUserError(`cannot write "${file}": ${reason}`, hint, { cause: error });
  }
}
