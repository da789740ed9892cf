import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeDirectory } from '../../storage/directories';

// A data directory given as a file's path failed with Node's own words ("EEXIST: file already
// exists", "ENOTDIR: not a directory"), which do not say that the path is a file.
describe('makeDirectory', () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'council-dirs-')), 'notes.txt');
  writeFileSync(file, 'x');

  it('says a file stands where the directory should be', () => {
    expect(() => makeDirectory(file)).toThrow(
      `${file} is a file, not a directory: council keeps its data in directories`,
    );
    expect(() => makeDirectory(file)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
  });

  it('says a file stands where a parent directory should be', () => {
    expect(() => makeDirectory(path.join(file, 'data', 'cache'))).toThrow(
      `${file} is a file, not a directory: council keeps its data in directories`,
    );
  });

  it('makes every missing level of a directory', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'council-dirs-'));
    const deep = path.join(root, 'a', 'b', 'c');
    makeDirectory(deep);
    expect(() => makeDirectory(deep)).not.toThrow();
  });

  // Made with the umask's mode (0755 under the usual 022), a data directory let every user of the
  // machine read its answers, blobs and database.
  it('makes the levels it makes private to the user, whatever the umask', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'council-dirs-'));
    const before = process.umask(0o022);
    try {
      makeDirectory(path.join(root, 'data', 'blobs'));
    } finally {
      process.umask(before);
    }
    expect(statSync(path.join(root, 'data')).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(root, 'data', 'blobs')).mode & 0o777).toBe(0o700);
  });
});
