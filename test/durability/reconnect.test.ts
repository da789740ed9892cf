import { Connection } from '@temporalio/client';
import { createServer, type Server } from 'node:net';
import { connectClient, localTarget } from '../../client/runtime/connection';
import type { DevServer } from '../../client/runtime/devServer';
import { killServerHard, startDurableServer, waitFor } from './support/processes';

/**
 * Holds a dead server's port and drops every connection made to it, noting when each came: each is
 * one reconnection attempt of a gRPC channel that has a call waiting. Holding the port also keeps it
 * from another test's server until the restart.
 */
class PortWatcher {
  readonly attempts: number[] = [];
  private readonly listener: Server = createServer((socket) => {
    this.attempts.push(Date.now());
    socket.destroy();
  });

  static async on(address: string): Promise<PortWatcher> {
    const watcher = new PortWatcher();
    const [host, port] = address.split(':');
    await new Promise<void>((resolve) => watcher.listener.listen(Number(port), host, resolve));
    return watcher;
  }

  /** Gaps, in ms, between consecutive attempts. */
  gaps(): number[] {
    return this.attempts.slice(1).map((at, index) => at - (this.attempts[index] ?? at));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.listener.close(() => resolve()));
  }
}

/** Keeps a call waiting on `connection` until `stopped` says so: the channel then keeps reconnecting. */
async function keepCalling(connection: Connection, stopped: () => boolean): Promise<void> {
  while (!stopped()) {
    await connection
      .withDeadline(Date.now() + 5_000, () =>
        connection.workflowService.describeNamespace({ namespace: 'default' }),
      )
      .catch(() => undefined);
  }
}

// gRPC's reconnection backoff grows 1.6-fold per failed attempt up to 120 s, each step from the
// jittered one before it, by 20 % either way (grpc-js): its 8th gap is at least 1.28^7 s, 5.6 s; its
// 7th is 16.8 s at the middle of the jitter, and less than 10 s only when most steps drew low.
// Channels with the same options share one backoff.
describe('connections across a Temporal server outage', () => {
  let server: DevServer;
  let dbFile: string;
  let watcher: PortWatcher | undefined;

  beforeEach(async () => {
    ({ server, dbFile } = await startDurableServer());
  });
  afterEach(async () => {
    await watcher?.close();
    watcher = undefined;
    await server.stop();
  });

  it("a council client tries the server again at least every 3.5 s, whatever the outage's length", async () => {
    const client = await connectClient(localTarget({ address: server.address, namespace: 'default' }));
    let stopped = false;
    const calling = keepCalling(client.connection as Connection, () => stopped);
    try {
      await killServerHard(server);
      watcher = await PortWatcher.on(server.address);
      const seen = watcher;
      await waitFor('nine reconnection attempts', () => seen.attempts.length >= 9, 30_000);
      expect(
        seen
          .gaps()
          .slice(5)
          .every((gap) => gap < 3_500),
      ).toBe(true);
    } finally {
      stopped = true;
      await calling;
      await client.connection.close();
    }
  });

  it('a server restarted on its port is found serving while another connection backs off from it', async () => {
    // SDK defaults, as a library user's own connection has: the probe's options before it had a pool of its own.
    const other = await Connection.connect({ address: server.address });
    let stopped = false;
    const calling = keepCalling(other, () => stopped);
    try {
      await killServerHard(server);
      watcher = await PortWatcher.on(server.address);
      const seen = watcher;
      await waitFor('seven reconnection attempts', () => seen.attempts.length >= 7, 90_000);
      await seen.close();
      watcher = undefined;
      // The other connection's next attempt is some 16.8 s away: a probe sharing its channel waited for it.
      // Not sooner than 10 s, then, while a restart takes 1-3 s on a loaded machine.
      const port = Number(server.address.split(':').pop());
      ({ server } = await startDurableServer({ port, dbFile, startTimeoutMs: 10_000 }));
      expect(server.address).toBe(`127.0.0.1:${port}`);
    } finally {
      stopped = true;
      await calling;
      await other.close();
    }
  });
});
