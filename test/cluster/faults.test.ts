/**
 * Faults of the cluster under council sessions: a Temporal service process SIGKILLed and restarted
 * (history, matching), PostgreSQL crashed and restarted under load. Two council workers serve.
 */
import type { LLMock } from '@copilotkit/aimock';
import type { Client } from '@temporalio/client';
import { MultiParticipantSession } from '../../client/api/session';
import type { RoundResult } from '../../common/session';
import { sendMessageUpdate } from '../../common/sessionApi';
import { completedCalls, startMock } from '../durability/support/llm';
import { killAllProcesses, waitFor } from '../durability/support/processes';
import { panelist, pendingActivities, STARTED } from '../durability/support/temporal';
import { useCluster } from './support/cluster';
import { activityPollers } from './support/history';
import { gatedAnswers, type Gate } from './support/llm';
import type { ServiceName } from './support/services';
import { startClusterWorker } from './support/workers';

const QUEUE = 'cluster-faults';
/** Longer than any outage here: a call in flight through one is not given up on and made again. */
const HEARTBEAT_MS = 60_000;

describe('faults of the cluster during council rounds', () => {
  const cluster = useCluster();
  let mock: LLMock;
  let gate: Gate;

  beforeAll(async () => {
    mock = await startMock();
    // The first call of each speaker named H* waits at the model until released.
    gate = gatedAnswers(mock, 500, (speaker, nth) => speaker.startsWith('H') && nth === 1);
    const workers = ['f1', 'f2'].map((tag) =>
      startClusterWorker(cluster, { llmUrl: mock.url, tag, taskQueue: QUEUE }),
    );
    await Promise.all(workers.map((worker) => worker.ready));
    await waitFor(
      'both workers to poll',
      async () => new Set(await activityPollers(cluster.client, QUEUE)).size === 2,
      60_000,
    );
  }, 120_000);
  afterAll(async () => {
    await killAllProcesses();
    await mock?.stop();
  });

  /**
   * A roundRobin session of A, H (held on its first call), C: round 1 is started and waits with A
   * done and H's call in flight, when `fault` runs; then H is released and a second round follows.
   * Every round completes; every call reached the model once: none completed before the fault ran again.
   */
  async function roundThrough(label: string, fault: () => Promise<void>) {
    const { client } = cluster;
    const names = [`A${label}`, `H${label}`, `C${label}`];
    const session = await MultiParticipantSession.create(
      client,
      { strategy: 'roundRobin', participants: names.map((name) => panelist(name, HEARTBEAT_MS)) },
      { sessionId: `cluster-${label}`, taskQueue: QUEUE },
    );
    const handle = client.workflow.getHandle(session.sessionId);
    const updateId = `${label}-round-1`;
    const waiting = settle(
      handle.executeUpdate(sendMessageUpdate, { args: [{ role: 'user', content: `${label} 1` }], updateId }),
    );
    await waitFor(
      `${names[1]} to be answering`,
      async () =>
        gate.held().includes(names[1]!) && (await pendingActivities(handle)).some((a) => a.state === STARTED),
      60_000,
    );
    expect(
      completedCalls(mock)
        .filter((call) => names.includes(call.speaker))
        .map((call) => call.speaker),
    ).toEqual([names[0]]);

    const faultAt = Date.now();
    await fault();
    const recoveredAt = Date.now();
    gate.release((speaker) => speaker === names[1]);
    // A client that waited through the fault, and one that asks afresh by update id.
    const fresh = await handle.getUpdateHandle<RoundResult>(updateId).result();
    const first = await waiting;
    const second = await session.sendMessage('user', `${label} 2`);
    console.log(
      `cluster ${label}: fault and recovery took ${recoveredAt - faultAt} ms; round 1 done ` +
        `${Date.now() - faultAt} ms after the fault began; the waiting client ${first.error ? `failed: ${String(first.error)}` : 'got the result'}`,
    );

    expect(fresh.responses.map((r) => [r.participantName, r.status])).toEqual(
      names.map((name) => [name, 'ok']),
    );
    expect(first.error).toBeUndefined();
    expect(first.result).toEqual(fresh);
    expect(second.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    const calls = completedCalls(mock).filter((call) => names.includes(call.speaker));
    expect(
      calls.map((call) => `${call.speaker} ${call.message.includes(`${label} 2`) ? 2 : 1}`).sort(),
    ).toEqual(names.flatMap((name) => [`${name} 1`, `${name} 2`]).sort());
    await session.close();
  }

  const restart = (name: ServiceName) => async () => {
    await cluster.services[name].kill();
    await cluster.services[name].start();
  };

  it('the history service SIGKILLed mid-round and restarted: every round completes, no call made twice', async () => {
    await roundThrough('history', restart('history'));
  });

  it('the matching service SIGKILLed and restarted: every round completes, no call made twice', async () => {
    await roundThrough('matching', restart('matching'));
  });

  it('PostgreSQL crashed and restarted under load: twenty sessions complete every round', async () => {
    const { client } = cluster;
    const sessions = 20;
    const runs = Array.from({ length: sessions }, (_, index) => loadSession(client, index));
    await waitFor(
      'a third of the calls to complete',
      () => completedCalls(mock).filter((c) => c.speaker.startsWith('L')).length >= 40,
      180_000,
      100,
    );
    const crashedAt = Date.now();
    await cluster.postgres.kill();
    await cluster.postgres.start();
    const restartedAt = Date.now();
    const results = await Promise.all(runs);
    const calls = completedCalls(mock).filter((c) => c.speaker.startsWith('L'));
    const keys = calls.map((call) => `${call.speaker} ${call.message}`);
    const repeated = keys.length - new Set(keys).size;
    console.log(
      `cluster postgres: crashed and back in ${restartedAt - crashedAt} ms; ${sessions} sessions x 3 rounds done ` +
        `${Date.now() - crashedAt} ms after the crash; ${calls.length} calls, ${repeated} made again`,
    );
    for (const rounds of results)
      for (const responses of rounds) expect(responses.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    expect(new Set(keys).size).toBe(sessions * 3 * 3);
  }, 300_000);
});

/** A broadcast session of three, three rounds one after the other; its responses per round. */
async function loadSession(client: Client, index: number) {
  const session = await MultiParticipantSession.create(
    client,
    { strategy: 'broadcast', participants: [1, 2, 3].map((p) => panelist(`L${index}x${p}`, HEARTBEAT_MS)) },
    { sessionId: `cluster-load-${index}`, taskQueue: QUEUE },
  );
  const rounds = [];
  for (let round = 1; round <= 3; round += 1)
    rounds.push(await session.sendMessage('user', `load ${index} round ${round}`));
  await session.close();
  return rounds;
}

function settle<T>(promise: Promise<T>): Promise<{ result?: T; error?: unknown }> {
  return promise.then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
}
