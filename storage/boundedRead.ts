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

/**
 * A file's text (UTF-8), read to its end or refused once it passes `maxBytes`. The bound is on the
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
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
