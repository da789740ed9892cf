import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { openLocalServer, type LocalServer } from '../../client/runtime/localServer';
import { closeLocalServer } from '../../client/runtime/localServerClose';
import { awaitEarlierServerStop } from '../../client/runtime/serverStopping';
import { isAlive, isRunning } from '../helpers/wait';

/** Starts a workflow nobody serves, so the next server on the same SQLite file can be asked for it. */
async function startIdle(server: LocalServer, workflowId: string): Promise<void> {
  const connection = await Connection.connect({ address: server.address });
  try {
    await new Client({ connection, namespace: server.namespace }).workflow.start('sessionWorkflow', {
      workflowId,
      taskQueue: 'nobody-polls-this',
      args: [{ config: { strategy: 'broadcast' } }],
    });
  } finally {
    await connection.close();
  }
}

describe('a server left stopping by a process that exits', () => {
  it('is not waited for by its owner, and the next start on its SQLite file waits for it', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'council-stopping-'));
    const first = await openLocalServer(dataDir);
    const guardPid = first.owned?.pid ?? -1;
    await startIdle(first, 'kept-across-a-stop-left-behind');

    await closeLocalServer(dataDir, first, { wait: false });
    // Returned before the graceful stop (about a second) ended: its guard still waits for the server.
    expect(isAlive(guardPid)).toBe(true);

    const second = await openLocalServer(dataDir);
    try {
      // Two servers never held the SQLite file at once: the first had exited before the second started.
      expect(isRunning(guardPid)).toBe(false);
      const connection = await Connection.connect({ address: second.address });
      const description = await new Client({ connection, namespace: second.namespace }).workflow
        .getHandle('kept-across-a-stop-left-behind')
        .describe();
      await connection.close();
      expect(description.status.name).toBe('RUNNING');
    } finally {
      await closeLocalServer(dataDir, second);
    }
    expect(isAlive(second.owned?.pid ?? -1)).toBe(false);
  });
});

/** Fills 2 GiB, says its pid, and waits forever. */
const HOLD_MEMORY = `const held = Buffer.alloc(2 ** 31, 1);
process.stdout.write(String(process.pid));
setInterval(() => held[0], 60_000);`;

describe('a server left stopping that hangs', () => {
  it('is killed with its whole process group after 10 s, and the next start goes on', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'council-stopping-hang-'));
    // Stands in for a guard whose server never exits: it leads its own group, a child in it. The
    // child holds 2 GiB, as a server may: freeing it makes its exit last well past its guard's.
    const guard = spawn('bash', ['-c', '"$1" -e "$2" & wait', '_', process.execPath, HOLD_MEMORY], {
      argv0: 'temporal-guard',
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const guardPid = guard.pid ?? -1;
    try {
      const childPid = await new Promise<number>((resolve, reject) => {
        guard.stdout.once('data', (d) => resolve(Number(String(d))));
        guard.once('exit', (code) =>
          reject(new Error(`the stand-in guard exited (${code}) before its child began`)),
        );
      });
      expect(readFileSync(`/proc/${guardPid}/cmdline`, 'utf8')).toContain('temporal-guard');
      const record = path.join(dataDir, 'server-stopping.json');
      writeFileSync(record, JSON.stringify({ guardPid }));

      const startedMs = Date.now();
      await awaitEarlierServerStop(dataDir);

      expect(Date.now() - startedMs).toBeGreaterThanOrEqual(10_000);
      // Killed: gone, or a zombie until its parent (this process, for the guard) reaps it; a zombie
      // holds no file, a process still exiting may.
      expect(isRunning(guardPid)).toBe(false);
      expect(isRunning(childPid)).toBe(false);
      expect(existsSync(record)).toBe(false);
    } finally {
      // Should the code under test fail to, the 2 GiB child must not outlive the test.
      try {
        process.kill(-guardPid, 'SIGKILL');
      } catch {
        // Already gone: the code under test killed it.
      }
    }
  }, 60_000);
});
