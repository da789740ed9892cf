import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { writeFileAtomically } from '../../client/runtime/atomicFile';

const WRITES = 200;

describe('writeFileAtomically (server.json, server-stopping.json, the bundle cache)', () => {
  it('a reader in another process never sees the file empty or half written', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'council-atomic-')), 'server.json');
    // Large enough that a write takes long enough for a reader to land inside it.
    const contents = ['a', 'b'].map((fill) => JSON.stringify({ fill: fill.repeat(2 * 1024 * 1024) }));
    writeFileAtomically(file, contents[0] ?? '');
    const writer = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `const { writeFileAtomically } = require(${JSON.stringify(path.resolve('client/runtime/atomicFile.ts'))});
         const contents = ${JSON.stringify(['a', 'b'])}.map((fill) => JSON.stringify({ fill: fill.repeat(2 * 1024 * 1024) }));
         for (let i = 0; i < ${WRITES}; i += 1) writeFileAtomically(${JSON.stringify(file)}, contents[i % 2]);`,
      ],
      { stdio: 'inherit' },
    );
    let exited: number | null | string | undefined;
    writer.on('exit', (code) => (exited = code));
    writer.on('error', (error) => (exited = error.message));
    const deadline = Date.now() + 50_000;
    const seen = new Map<string, number>();
    while (exited === undefined && Date.now() < deadline) {
      const text = readFileSync(file, 'utf8');
      const index = contents.indexOf(text);
      const kind = index >= 0 ? `whole ${index}` : `torn at ${text.length} of ${contents[0]?.length}`;
      seen.set(kind, (seen.get(kind) ?? 0) + 1);
      await yieldToLoop();
    }
    expect(exited).toBe(0);
    // Both contents were read: the reads went on while the writer replaced the file.
    expect([...seen.keys()].sort()).toEqual(['whole 0', 'whole 1']);
  }, 60_000);
});
