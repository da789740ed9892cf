import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { closeLocalServer, openLocalServer, type LocalServer } from '../../client/runtime/localServer';
import { isAlive } from '../helpers/wait';

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
      expect(isAlive(guardPid)).toBe(false);
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
