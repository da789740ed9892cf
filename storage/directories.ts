import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * `mkdir -p`, one level at a time. Node's own recursive mkdir never returns under /proc: the kernel
 * answers ENOENT for the parent it sees there, and Node makes that parent again, forever. This
 * makes each missing level once, so a directory that cannot be made fails at once with the error
 * (a file in its place too).
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  // Bounded: each step goes one level up, and the root ends it.
  for (let at = path.resolve(dir); !existsSync(at); at = path.dirname(at)) {
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const level of missing) {
    try {
      // Private: a data directory holds answers, blobs and the server's database in clear.
      mkdirSync(level, { mode: 0o700 });
    } catch (error) {
      const { code } = error as NodeJS.ErrnoException;
      // A file where a parent directory should be: Node says only "not a directory".
      if (code === 'ENOTDIR') throw notADirectory(path.dirname(level), 'ENOTDIR');
      // Another process may make the same level between the check and here.
      if (code !== 'EEXIST') throw error;
    }
  }
  // A file (or a dangling link) where the directory should be.
  const target = path.resolve(dir);
  if (!statSync(target, { throwIfNoEntry: false })?.isDirectory()) throw notADirectory(target, 'EEXIST');
}

/** The error for a file where a directory should be, with the code Node's mkdir gives it. */
function notADirectory(where: string, code: string): Error {
  return Object.assign(
    new Error(`${where} is a file, not a directory: council keeps its data in directories`),
    {
      code,
    },
  );
}
