import os from 'node:os';
import path from 'node:path';
import { dataDirectory } from '../../client/runtime/localServer';
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
});
