import type { Client } from '@temporalio/client';
import { MultiParticipantSession } from '../../client/api/session';
import type { ParticipantResponse } from '../../common/session';
import { useDurableEnvironment } from './support/environment';
import { completedCalls } from './support/llm';
import { startWorkerProcess, waitFor } from './support/processes';
import { panelist, pendingActivities, STARTED } from './support/temporal';

const SESSIONS = 20;
const ROUNDS = 3;
const NAMES = ['N1', 'N2', 'N3'];
const TOTAL_CALLS = SESSIONS * ROUNDS * NAMES.length;
const ACTIVITY_QUEUE = 2; // TASK_QUEUE_TYPE_ACTIVITY

describe('two worker processes on one task queue, one SIGKILLed mid-way', () => {
  const environment = useDurableEnvironment({ latencyMs: 1000 });

  it('completes twenty concurrent sessions; both workers served calls; the survivor finished the work', async () => {
    const { mock, server, client } = environment;
    const taskQueue = 'durability-scale-out';
    const options = { address: server.address, taskQueue, llmUrl: mock.url };
    const workers = [
      startWorkerProcess({ ...options, tag: 'worker-1' }),
      startWorkerProcess({ ...options, tag: 'worker-2' }),
    ];
    await Promise.all(workers.map((worker) => worker.ready));
    // Both poll before the first session starts, so either can be handed the first calls.
    await waitFor('both workers to poll for calls', async () => {
      const queue = await client.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue },
        taskQueueType: ACTIVITY_QUEUE,
      });
      return (queue.pollers ?? []).length === 2;
    });

    const startedAt = Date.now();
    const runs = Array.from({ length: SESSIONS }, (_, index) => runSession(client, taskQueue, index));
    const handles = Array.from({ length: SESSIONS }, (_, index) =>
      client.workflow.getHandle(sessionId(index)),
    );
    // Mid-way: each worker has completed calls, and the next calls are in flight. (All calls of a
    // wave answer at once; a kill in that instant would find answers the dead worker had received
    // but not yet reported, which are then asked for again: at least once, not exactly once.)
    await waitFor(
      'calls completed by both workers',
      () => new Set(completedCalls(mock).map((call) => call.worker)).size === 2,
      90_000,
    );
    await waitFor(
      'half a wave of calls in flight',
      async () => {
        const pending = await Promise.all(handles.map((handle) => pendingActivities(handle)));
        const inFlight = pending.flat().filter((a) => a.state === STARTED && (a.attempt ?? 1) === 1);
        return inFlight.length >= (SESSIONS * NAMES.length) / 2;
      },
      90_000,
      100,
    );
    const [victim, survivor] = workers as [(typeof workers)[0], (typeof workers)[0]];
    await victim.kill();
    const killedAt = Date.now();
    const beforeKill = completedCalls(mock);
    const results = await Promise.all(runs);
    const count = (calls: typeof beforeKill, tag: string) =>
      calls.filter((call) => call.worker === tag).length;
    console.log(
      `scale-out: ${SESSIONS} sessions x ${ROUNDS} rounds x ${NAMES.length} calls in ${Date.now() - startedAt} ms; ` +
        `before the kill worker-1 completed ${count(beforeKill, 'worker-1')} calls and worker-2 ` +
        `${count(beforeKill, 'worker-2')}; worker-2 finished the other ${completedCalls(mock).length - beforeKill.length} ` +
        `in ${Date.now() - killedAt} ms`,
    );

    for (const { rounds, transcript } of results) {
      expect(rounds.map((responses) => responses.map((r) => r.status))).toEqual(
        Array.from({ length: ROUNDS }, () => NAMES.map(() => 'ok')),
      );
      // Round by round, in order: the message, then each participant's answer once (in the order
      // the answers came), as the round returned them. No duplicate, no gap.
      expect(transcript.map(([round]) => round)).toEqual(
        Array.from({ length: ROUNDS }, (_, r) => Array<number>(NAMES.length + 1).fill(r + 1)).flat(),
      );
      rounds.forEach((responses, r) => {
        const [message, ...answers] = transcript.filter(([round]) => round === r + 1);
        expect(message?.[1]).toBe('user');
        expect(answers.map(([, from, content]) => `${from} ${content}`).sort()).toEqual(
          responses.map((response) => `${response.participantName} ${response.content}`).sort(),
        );
      });
    }

    const calls = completedCalls(mock);
    const byWorker = (tag: string) => calls.filter((call) => call.worker === tag);
    expect(byWorker('worker-1').length).toBeGreaterThan(0);
    expect(byWorker('worker-2').length).toBeGreaterThan(0);
    expect(byWorker('worker-1').length + byWorker('worker-2').length).toBe(calls.length);
    // The dead worker completed nothing after its death; the survivor did everything after it.
    expect(byWorker('worker-1').every((call) => call.at <= killedAt)).toBe(true);
    expect(calls.filter((call) => call.at > killedAt).every((call) => call.worker === survivor.tag)).toBe(
      true,
    );
    // Every call of every round of every session completed; one completed twice only if the
    // killed worker was delivering it as it died (its answer sent, the completion lost).
    const byKey = new Map<string, typeof calls>();
    for (const call of calls) {
      const key = `${call.speaker} ${call.message}`;
      byKey.set(key, [...(byKey.get(key) ?? []), call]);
    }
    expect(byKey.size).toBe(TOTAL_CALLS);
    const repeated = [...byKey.values()].filter((repeats) => repeats.length > 1);
    for (const repeats of repeated)
      expect(repeats.map((call) => call.worker)).toEqual(['worker-1', 'worker-2']);
    console.log(`scale-out: ${repeated.length} calls completed twice (answered as worker-1 died)`);
  }, 180_000);
});

const sessionId = (index: number) => `durability-scale-${index}`;

/** One session: three broadcast rounds, one after the other; its responses and transcript. */
async function runSession(client: Client, taskQueue: string, index: number) {
  const session = await MultiParticipantSession.create(
    client,
    { strategy: 'broadcast', participants: NAMES.map((name) => panelist(name)) },
    { sessionId: sessionId(index), taskQueue },
  );
  const rounds: ParticipantResponse[][] = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    rounds.push(await session.sendMessage('user', `session ${index} round ${round}`));
  }
  const transcript = (await session.transcript()).map(
    (entry) => [entry.round, entry.from, entry.content] as [number, string, string],
  );
  await session.close();
  return { rounds, transcript };
}
