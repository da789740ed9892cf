import { renameSync, writeFileSync } from 'node:fs';

/**
 * Writes `file` aside and renames it into place: a reader in another process sees the old content
 * or the new, never an empty or half-written file (writeFileSync truncates first, then writes).
 * Files other processes read to decide whether to start a server on a SQLite file need it: a torn
 * read there starts a second server on the same file.
 */
export function writeFileAtomically(file: string, data: string): void {
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, data);
  renameSync(partial, file);
}
