import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openLocalServer } from '../../client/runtime/localServer';
import { closeLocalServer } from '../../client/runtime/localServerClose';
import { serverProcesses } from '../cli/cli';

describe('commands that open the same data directory at once', () => {
  it('start one server on its SQLite file, which openers in one process share until the last closes', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'council-lock-'));
    const opened = await Promise.all([1, 2, 3].map(() => openLocalServer(dataDir)));
    const open = [...opened];
    const closeOne = async () => {
      const server = open.pop();
      if (server) await closeLocalServer(dataDir, server);
    };
    try {
      // Two servers on one SQLite file would corrupt it.
      expect(serverProcesses(dataDir)).toHaveLength(1);
      expect(opened[0]?.owned).toBeDefined();
      expect(new Set(opened).size).toBe(1);
      await closeOne();
      await closeOne();
      expect(serverProcesses(dataDir)).toHaveLength(1);
    } finally {
      while (open.length > 0) await closeOne();
    }
    expect(serverProcesses(dataDir)).toEqual([]);
  });

  it.each([
    ['a killed process whose pid this process got since', () => String(process.pid)],
    ['a process that is gone', () => '2147483646.left-by-a-dead-process'],
  ])('takes over a lock left by %s', async (_what, token) => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'council-lock-'));
    writeFileSync(path.join(dataDir, 'server.lock'), token());
    const started = Date.now();
    const server = await openLocalServer(dataDir);
    try {
      expect(server.owned).toBeDefined();
      // Not the minute a live holder is waited for.
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(existsSync(path.join(dataDir, 'server.lock'))).toBe(false);
    } finally {
      await closeLocalServer(dataDir, server);
    }
  });
});
