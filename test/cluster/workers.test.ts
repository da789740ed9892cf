/**
 * Three `council worker` processes on one task queue of the production Temporal server (four service
 * processes on PostgreSQL), large payloads in the shared S3 blob store (moto).
 */
import type { LLMock } from '@copilotkit/aimock';
import { executeCouncilExperts } from '../../client/api/council';
import { MultiParticipantSession } from '../../client/api/session';
import { S3_DRIVER_NAME } from '../../storage';
import { referencesIn } from '../../storage/references';
import { council, expert } from '../council/support';
import { completedCalls, startMock } from '../durability/support/llm';
import { killAllProcesses, waitFor } from '../durability/support/processes';
import { panelist, pendingActivities, STARTED } from '../durability/support/temporal';
import { useCluster } from './support/cluster';
import { activityPollers, historyOf, speakersInFlightOn, workerIdentities } from './support/history';
import { expectDeliveredOf } from '../helpers/answers';
import { BIG_MARK, bigAnswer, gatedAnswers, type Gate } from './support/llm';
import { startClusterWorker, type ClusterWorker } from './support/workers';

const QUEUE = 'cluster-workers';
/** Calls per worker at once: twelve calls in flight fill all three workers, so all three serve. */
const CALLS_PER_WORKER = 4;

describe('three council workers on one task queue of the cluster', () => {
  const cluster = useCluster();
  let mock: LLMock;
  let gate: Gate;
  let workers: ClusterWorker[];
  const tagOf = (identity: string) => workers.find((worker) => worker.identity === identity)?.tag ?? identity;

  beforeAll(async () => {
    mock = await startMock();
    // Speakers K* (the worker-kill test) wait at the model on their first call until released.
    gate = gatedAnswers(mock, 1500, (speaker, nth) => speaker.startsWith('K') && nth === 1);
    workers = ['w1', 'w2', 'w3'].map((tag) =>
      startClusterWorker(cluster, {
        llmUrl: mock.url,
        tag,
        taskQueue: QUEUE,
        maxConcurrentCalls: CALLS_PER_WORKER,
      }),
    );
    await Promise.all(workers.map((worker) => worker.ready));
    await waitFor(
      'all three workers to poll for calls',
      async () => new Set(await activityPollers(cluster.client, QUEUE)).size === 3,
      60_000,
    );
  }, 120_000);
  afterAll(async () => {
    await killAllProcesses();
    await mock?.stop();
  });

  it('runs sessions and councils with calls spread over all three workers, each call once', async () => {
    const { client } = cluster;
    const names = ['P1', 'P2', 'P3'];
    const sessions = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        MultiParticipantSession.create(
          client,
          { strategy: 'broadcast', participants: names.map((name) => panelist(`${name}s${index}`)) },
          { sessionId: `cluster-spread-${index}`, taskQueue: QUEUE },
        ),
      ),
    );
    const councils = Array.from({ length: 2 }, (_, index) =>
      executeCouncilExperts(
        client,
        council('parallel', [expert(`e${index}a`), expert(`e${index}b`), expert(`e${index}c`)]),
        undefined,
        undefined,
        { councilId: `cluster-council-${index}`, taskQueue: QUEUE },
      ),
    );
    const rounds = await Promise.all(
      sessions.map(async (session) => [
        await session.sendMessage('user', `${session.sessionId} round 1`),
        await session.sendMessage('user', `${session.sessionId} round 2`),
      ]),
    );
    const results = await Promise.all(councils);

    for (const responses of rounds.flat()) expect(responses.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    for (const result of results) {
      expect(Object.values(result.outputs).map((output) => output.status)).toEqual(['done', 'done', 'done']);
      expect(result.synthesis.status).toBe('done');
    }
    const ids = [...sessions.map((s) => s.sessionId), 'cluster-council-0', 'cluster-council-1'];
    const identities = await Promise.all(
      ids.map(async (id) => workerIdentities((await historyOf(client, id)).history)),
    );
    const byWorker = new Map<string, number>();
    for (const { activities } of identities)
      for (const id of activities) byWorker.set(tagOf(id), (byWorker.get(tagOf(id)) ?? 0) + 1);
    console.log(
      `cluster spread: activities completed per worker ${JSON.stringify(Object.fromEntries(byWorker))}`,
    );
    expect([...byWorker.keys()].sort()).toEqual(['w1', 'w2', 'w3']);
    // Every call reached the model once, from the worker the history says completed it.
    const calls = completedCalls(mock);
    const keys = calls.map((call) => `${call.speaker} ${call.message}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(calls.length).toBe([...byWorker.values()].reduce((sum, n) => sum + n, 0));
    for (const session of sessions) await session.close();
  }, 300_000);

  it('keeps ~600 KB answers in the shared S3 store: the history holds references, any worker reads them', async () => {
    const { client } = cluster;
    // Six calls at once, at most four per worker: at least two workers write blobs for one round.
    const names = Array.from({ length: 6 }, (_, index) => `Big${index}`);
    const session = await MultiParticipantSession.create(
      client,
      { strategy: 'broadcast', maxTokens: 2_000_000, participants: names.map((name) => panelist(name)) },
      { sessionId: 'cluster-big', taskQueue: QUEUE },
    );
    const responses = await session.sendMessage('user', 'Write at length');
    expect(responses.map((r) => [r.participantName, r.status])).toEqual(names.map((name) => [name, 'ok']));
    // Over the 256 KiB answer cap (and six of them over the round result's 1 MiB): each arrives as its
    // true beginning and council's notice.
    for (const r of responses) expectDeliveredOf(r.content, bigAnswer(r.participantName));
    const { history, bytes } = await historyOf(client, session.sessionId);
    expect(bytes.includes(BIG_MARK)).toBe(false);
    expect(bytes.length).toBeLessThan(200_000);
    const references = referencesIn(history);
    expect(references.length).toBeGreaterThanOrEqual(names.length + 1);
    expect(new Set(references.map((r) => r.driverName))).toEqual(new Set([S3_DRIVER_NAME]));
    const { activities, workflowTasks } = workerIdentities(history);
    console.log(
      `cluster blobs: history ${bytes.length} bytes, ${references.length} references; answers from ` +
        `${activities.map(tagOf).join(' ')}; workflow tasks on ${[...new Set(workflowTasks.map(tagOf))].join(' ')}`,
    );
    // Blobs written by one worker process were read by another: the store is shared.
    expect(new Set(activities).size).toBeGreaterThanOrEqual(2);
    expect(activities.some((identity) => !workflowTasks.includes(identity))).toBe(true);
    await session.close();
  }, 300_000);

  it('a worker SIGKILLed mid-round: the others finish its calls, each once, and keep serving', async () => {
    const { client } = cluster;
    // Twelve first calls held at the model: every worker has four in flight.
    const sessions = await Promise.all(
      Array.from({ length: 4 }, (_, s) =>
        MultiParticipantSession.create(
          client,
          { strategy: 'broadcast', participants: [1, 2, 3].map((p) => panelist(`K${s}x${p}`)) },
          { sessionId: `cluster-kill-${s}`, taskQueue: QUEUE },
        ),
      ),
    );
    const rounds = sessions.map((session) => session.sendMessage('user', `${session.sessionId} round 1`));
    const handles = sessions.map((session) => client.workflow.getHandle(session.sessionId));
    const inFlight = async () =>
      (await Promise.all(handles.map(pendingActivities))).flat().filter((a) => a.state === STARTED);
    await waitFor(
      'twelve calls in flight',
      async () => gate.held().length === 12 && (await inFlight()).length === 12,
      120_000,
      200,
    );
    const [victim, ...survivors] = workers as [ClusterWorker, ...ClusterWorker[]];
    const victimSpeakers = await speakersInFlightOn(
      client,
      sessions.map((session) => session.sessionId),
      victim.identity,
    );
    expect(victimSpeakers.length).toBe(CALLS_PER_WORKER);

    await victim.kill();
    const killedAt = Date.now();
    // The survivors' calls answer; the dead worker's never will: the server retries them elsewhere.
    gate.release((speaker) => !victimSpeakers.includes(speaker));
    const results = await Promise.all(rounds);
    for (const responses of results) expect(responses.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);

    // New work after the kill is served by the survivors.
    const later = await MultiParticipantSession.create(
      client,
      { strategy: 'broadcast', participants: ['L1', 'L2', 'L3'].map((name) => panelist(name)) },
      { sessionId: 'cluster-after-kill', taskQueue: QUEUE },
    );
    expect((await later.sendMessage('user', 'still there?')).map((r) => r.status)).toEqual([
      'ok',
      'ok',
      'ok',
    ]);

    const calls = completedCalls(mock).filter((call) => /^(K\d|L\d)/.test(call.speaker));
    const survivorTags = survivors.map((worker) => worker.tag);
    expect(calls.filter((call) => call.worker === victim.tag)).toEqual([]);
    expect(
      calls.filter((call) => call.at >= killedAt).every((call) => survivorTags.includes(call.worker ?? '')),
    ).toBe(true);
    const speakers = calls.map((call) => call.speaker).sort();
    expect(speakers).toEqual(
      [...sessions.flatMap((_, s) => [1, 2, 3].map((p) => `K${s}x${p}`)), 'L1', 'L2', 'L3'].sort(),
    );
    for (const session of [...sessions, later]) await session.close();
  }, 300_000);
});
