import os from 'node:os';
import path from 'node:path';
import { dataDirectory, openLocalServer } from '../../client/runtime/localServer';
import { CouncilUserError } from '../../common/userError';

// `--data-dir ""` and `COUNCIL_DATA_DIR=` resolved to the working directory: the server's SQLite
// file and its lock landed in whatever directory the command ran in.
describe('the data directory', () => {
  const saved = process.env.COUNCIL_DATA_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.COUNCIL_DATA_DIR;
    else process.env.COUNCIL_DATA_DIR = saved;
  });

  it('refuses an empty --data-dir, saying what to pass', () => {
    for (const empty of ['', '  ']) {
      expect(() => dataDirectory(empty)).toThrow(
        new CouncilUserError('--data-dir is empty: name a directory'),
      );
    }
  });

  it('takes an empty COUNCIL_DATA_DIR as unset: ~/.council, never the working directory', () => {
    process.env.COUNCIL_DATA_DIR = '';
    expect(dataDirectory()).toBe(path.join(os.homedir(), '.council'));
    process.env.COUNCIL_DATA_DIR = '/tmp/council-data';
    expect(dataDirectory()).toBe('/tmp/council-data');
    expect(dataDirectory('relative')).toBe(path.resolve('relative'));
  });

  it('refuses a directory that exists but takes no file, naming it and the fix, not the lock file', async () => {
    const opening = openLocalServer('/proc/self');
    await expect(opening).rejects.toThrow(/^cannot write in \/proc\/self, the data directory: ENOENT/);
    await expect(opening).rejects.toMatchObject({
      hint: 'name another with --data-dir or COUNCIL_DATA_DIR (Council.local: its dataDir option)',
    });
  });

  it("refuses a directory that cannot be made, at once: under /proc Node's recursive mkdir loops forever", async () => {
    // /proc takes no new entries: a recursive mkdir sees ENOENT for a parent that exists, and retries it.
    const opening = openLocalServer('/proc/council-nope/data');
    await expect(opening).rejects.toThrow(
      /cannot use \/proc\/council-nope\/data as the data directory: ENOENT/,
    );
    await expect(opening).rejects.toMatchObject({
      hint: 'name another with --data-dir or COUNCIL_DATA_DIR (Council.local: its dataDir option)',
    });
  });
});
