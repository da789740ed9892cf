import type { LLMock } from '@copilotkit/aimock';
import type { Client } from '@temporalio/client';
import type { DevServer } from '../../client/runtime/devServer';
import { freePort } from '../../client/runtime/freePort';
import { MultiParticipantSession } from '../../client/api/session';
import type { RoundResult } from '../../common/session';
import { sendMessageUpdate } from '../../common/sessionApi';
import { answerWithLatency, completedCalls, startMock, type Answerer } from './support/llm';
import {
  killAllProcesses,
  killServerHard,
  startDurableServer,
  startWorkerProcess,
  waitFor,
} from './support/processes';
import { connectTo, panelist, pendingActivities, STARTED } from './support/temporal';

const NAMES = ['X', 'Y', 'Z'];

describe('the Temporal server SIGKILLed during a broadcast round', () => {
  let mock: LLMock;
  let answerer: Answerer;
  let server: DevServer | undefined;
  const clients: Client[] = [];

  beforeAll(async () => {
    mock = await startMock();
    // Every call is held at the model until the server is back: all are in flight through the outage.
    answerer = answerWithLatency(mock, 1000, () => true);
  });
  afterAll(async () => {
    await killAllProcesses();
    await Promise.allSettled(clients.map((client) => client.connection.close()));
    await server?.stop();
    await mock?.stop();
  });

  it('restarted on the same SQLite file, the session completes; the waiting client and a new one get the result', async () => {
    const port = await freePort();
    const started = await startDurableServer({ port });
    server = started.server;
    const address = server.address;
    const taskQueue = 'durability-server-kill';
    const worker = startWorkerProcess({ address, taskQueue, llmUrl: mock.url, tag: 'worker-1' });
    await worker.ready;
    const waiting = await connectTo(address);
    clients.push(waiting);
    // A heartbeat timeout longer than the outage: calls in flight are not retried for it.
    const session = await MultiParticipantSession.create(
      waiting,
      { strategy: 'broadcast', participants: NAMES.map((name) => panelist(name, 15_000)) },
      { taskQueue },
    );
    const handle = waiting.workflow.getHandle(session.sessionId);
    // A known update id lets any client, in any process, wait on this round's result.
    const updateId = 'round-1';
    const round = handle.executeUpdate(sendMessageUpdate, {
      args: [{ role: 'user', content: 'Is the plan sound?' }],
      updateId,
    });
    // Settled either way, so an error while the server is down is not an unhandled rejection.
    const waited = round.then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error }),
    );
    await waitFor(
      'all three calls to be in flight',
      async () =>
        answerer.held.length === 3 &&
        (await pendingActivities(handle)).filter((a) => a.state === STARTED).length === 3,
      60_000,
    );

    await killServerHard(server);
    const killedAt = Date.now();
    expect(completedCalls(mock)).toHaveLength(0);
    server = (await startDurableServer({ port, dbFile: started.dbFile })).server;
    const restartedAt = Date.now();
    const fresh = await connectTo(address);
    clients.push(fresh);
    const freshHandle = fresh.workflow.getHandle(session.sessionId);
    await freshHandle.describe();
    const answeringAt = Date.now();
    answerer.release();
    const attached = await freshHandle.getUpdateHandle<RoundResult>(updateId).result();
    const attachedAt = Date.now();
    const outcome = await waited;
    console.log(
      `server kill: restarted on the same SQLite file in ${restartedAt - killedAt} ms ` +
        `(start-dev ${server.startMs} ms); a new client described the session ${answeringAt - killedAt} ms ` +
        `after the kill and had the round's result ${attachedAt - killedAt} ms after it; the waiting ` +
        `client ${outcome.error ? `failed: ${String(outcome.error)}` : 'got the result too'}`,
    );

    expect(attached.responses.map((r) => [r.participantName, r.status])).toEqual(NAMES.map((n) => [n, 'ok']));
    // The client that was waiting through the outage reconnected on its own.
    expect(outcome.error).toBeUndefined();
    expect(outcome.result).toEqual(attached);
    // Every participant answered once; no call completed twice.
    expect(
      completedCalls(mock)
        .map((call) => call.speaker)
        .sort(),
    ).toEqual(NAMES);
    const newSession = await MultiParticipantSession.attach(fresh, session.sessionId);
    const transcript = await newSession.transcript();
    // The message, then each answer once (in the order the answers came).
    expect(transcript[0]?.from).toBe('user');
    expect(
      transcript
        .slice(1)
        .map((entry) => `${entry.from} ${entry.content}`)
        .sort(),
    ).toEqual(attached.responses.map((r) => `${r.participantName} ${r.content}`).sort());
    const view = await newSession.close();
    expect(view.round).toBe(1);
    expect(view.usage.totalTokens).toBe(3 * 15);
  }, 180_000);
});
