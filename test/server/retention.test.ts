import { Connection } from '@temporalio/client';
import { msToTs, optionalTsToMs } from '@temporalio/common/lib/time';
import { EMBEDDED_RETENTION_DAYS } from '../../client/runtime/devServerRetention';
import type { DevServer } from '../../client/runtime/devServer';
import { startDurableServer } from '../durability/support/processes';

const DAY_MS = 86_400_000;

/** The namespace's retention of closed runs, in days, as the server reports it. */
async function retentionDays(server: DevServer): Promise<number> {
  const connection = await Connection.connect({ address: server.address });
  try {
    const reply = await connection.workflowService.describeNamespace({ namespace: 'default' });
    return (optionalTsToMs(reply.config?.workflowExecutionRetentionTtl) ?? 0) / DAY_MS;
  } finally {
    await connection.close();
  }
}

// On a data directory, `temporal server start-dev` deleted every run a day after it closed: its
// answers, and a long session's early transcript, which only its earlier runs' histories hold.
describe("the persistent embedded server's retention of closed runs", () => {
  let server: DevServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('is ten years from the first start of a data directory, and stays so across restarts', async () => {
    const started = await startDurableServer();
    server = started.server;
    expect(await retentionDays(server)).toBe(EMBEDDED_RETENTION_DAYS);
    await server.stop();
    server = (await startDurableServer({ dbFile: started.dbFile })).server;
    expect(await retentionDays(server)).toBe(EMBEDDED_RETENTION_DAYS);
  });

  it("keeps a retention someone set, the dev server's day included", async () => {
    const started = await startDurableServer();
    server = started.server;
    const connection = await Connection.connect({ address: server.address });
    await connection.workflowService.updateNamespace({
      namespace: 'default',
      config: { workflowExecutionRetentionTtl: msToTs(DAY_MS) },
    });
    await connection.close();
    await server.stop();
    server = (await startDurableServer({ dbFile: started.dbFile })).server;
    expect(await retentionDays(server)).toBe(1);
  });
});
