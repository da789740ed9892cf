import { createServer } from 'node:net';
import { MultiParticipantSession } from '../../client/api/session';
import { connectClient, localTarget } from '../../client/runtime/connection';
import { waitFor } from './support/processes';
import { useServerKillEnvironment } from './support/serverKill';
import { panelist, pendingActivities, STARTED } from './support/temporal';

/** Longer than the SDK's default gRPC retries last (10 attempts, about 15-20 s). */
const OUTAGE_MS = 25_000;

// A `council run` against a cluster whose server was down for 16 s died with "Workflow Update Poll
// failed: 14 UNAVAILABLE" eight seconds after the server was back: the client's gRPC retries had
// run out. Its round went on; the command that waited for it did not.
describe('a client waiting on a round while the server is down for longer than a restart', () => {
  const environment = useServerKillEnvironment({
    latencyMs: 200,
    hold: () => true,
    taskQueue: 'durability-server-outage',
  });

  it('gets the round result once the server is back', async () => {
    const { answerer, taskQueue } = environment;
    const client = await connectClient(
      localTarget({ address: environment.server.address, namespace: 'default' }),
    );
    try {
      // A heartbeat timeout longer than the outage: the call in flight is not made again for it.
      const session = await MultiParticipantSession.create(
        client,
        { strategy: 'broadcast', participants: [panelist('X', 60_000)] },
        { taskQueue },
      );
      const handle = client.workflow.getHandle(session.sessionId);
      const waited = session.sendMessage('user', 'Still with us?').then(
        (responses) => ({ responses, error: undefined }),
        (error: unknown) => ({ responses: undefined, error }),
      );
      await waitFor(
        'the call to be in flight',
        async () =>
          answerer.held.length === 1 &&
          (await pendingActivities(handle)).some((activity) => activity.state === STARTED),
        60_000,
      );
      await environment.killServer();
      // The port stays taken through the outage, or another test's server may take it (the restart
      // reuses it): connections are accepted and dropped at once, which gRPC reads as UNAVAILABLE.
      const [host, port] = environment.server.address.split(':');
      const holder = createServer((socket) => socket.destroy());
      await new Promise<void>((resolve) => holder.listen(Number(port), host, resolve));
      // The outage itself is what is tested: its length is the input, not a wait for something.
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      await new Promise((resolve) => holder.close(resolve));
      await environment.restartServer();
      answerer.release();
      const outcome = await waited;
      expect(outcome.error).toBeUndefined();
      expect(outcome.responses?.map((r) => [r.participantName, r.status])).toEqual([['X', 'ok']]);
    } finally {
      await client.connection.close();
    }
  });
});
