import { isUtf8 } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';

/** The most bytes read at once while looking for the end of a file. */
const CHUNK_BYTES = 64 * 1024;

/** A file that holds more than its reader takes; `maxBytes` is the bound it passed. */
export class FileTooLargeError extends Error {
  override readonly name = 'FileTooLargeError';

  constructor(
    readonly file: string,
    readonly maxBytes: number,
  ) {
    super(`${file} holds more than ${maxBytes} bytes`);
  }
}

/** Text whose bytes are not UTF-8 (e.g. saved as UTF-16 or Latin-1); `line` is the first bad one. */
export class NotUtf8Error extends Error {
  override readonly name = 'NotUtf8Error';
  readonly hint = 'save it as UTF-8';

  constructor(
    readonly source: string,
    readonly line: number,
  ) {
    super(`${source}:${line}: not UTF-8 text (this line holds bytes that are not)`);
  }
}

/**
 * UTF-8 bytes as text. Decoding alone would turn bad bytes into U+FFFD silently, so a name or a
 * prompt would change without a word; they are refused, naming the line (a newline byte is never
 * part of a multi-byte character, so lines can be checked one by one).
 */
export function decodeUtf8(bytes: Buffer, source: string): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let [start, line] = [0, 1];
  while (start <= bytes.length) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline;
    if (!isUtf8(bytes.subarray(start, end))) break;
    [start, line] = [end + 1, line + 1];
  }
  throw new NotUtf8Error(source, line);
}

/**
 * A file's text (UTF-8, else NotUtf8Error), read to its end or refused once it passes `maxBytes`. The bound is on the
 * bytes read, never on what stat says: a pipe, /dev/stdin or a device reports 0 bytes and may never
 * end, and a file may grow while it is read. Memory stays within `maxBytes` plus one chunk.
 */
export function readTextBounded(file: string, maxBytes: number): string {
  const fd = openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, maxBytes + 1 - total));
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > maxBytes) throw new FileTooLargeError(file, maxBytes);
    }
    return decodeUtf8(Buffer.concat(chunks, total), file);
  } finally {
    closeSync(fd);
  }
}

const READ_FAILURES: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
};

/** Why a file could not be read, in words: the common errors without Node's `ENOENT: …, open 'x'`. */
export function readFailureWords(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return READ_FAILURES[code] ?? (error as Error).message;
}
