import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { MultiParticipantSession } from '../../client/api/session';
import { blobStoreFromEnv } from '../../storage';
import { referencesIn } from '../../storage/references';
import { replaceWorker, startPollingWorker, useDurableEnvironment } from './support/environment';
import { completedCalls } from './support/llm';
import { completedActivities, panelist, waitUntilInFlight } from './support/temporal';

const NAMES = ['A', 'B', 'C'];
const LATENCY_MS = 500;
/**
 * About 150 KB, different for each participant (an answer handed to the wrong one shows), and within
 * every bound (one answer's 256 KiB cap, a turn's 384 KiB of shown answers), so each is delivered whole.
 */
const bigAnswer = (speaker: string) =>
  `${speaker}: ${`${speaker} lorem ipsum dolor sit amet `.repeat(5_400)}`;
const ANSWER_CHARS = bigAnswer('A').length;

// Workers and this test's client share one directory store, in a temporary directory of this file;
// its threshold (64 KiB) puts each answer, each prompt that shows one and the round result in it.
const blobEnv = {
  COUNCIL_BLOB_STORE: 'dir',
  COUNCIL_BLOB_THRESHOLD_BYTES: String(64 * 1024),
  COUNCIL_BLOB_DIR: path.join(mkdtempSync(path.join(os.tmpdir(), 'council-durability-blobs-')), 'blobs'),
};
const blobs = blobStoreFromEnv(blobEnv);

describe('a worker SIGKILLed mid-round while participants give ~150 KB answers (directory blob store)', () => {
  // B's first call never answers: it is certainly in flight when the worker is killed.
  const environment = useDurableEnvironment({
    latencyMs: LATENCY_MS,
    hold: (speaker, nth) => speaker === 'B' && nth === 1,
    answer: (speaker) => bigAnswer(speaker),
    dataConverter: blobs.dataConverter,
  });

  it('resumes on a new worker: every answer whole, only the in-flight call made again, references in the history', async () => {
    const { mock, answerer, client } = environment;
    const taskQueue = 'durability-large-answers';
    const first = await startPollingWorker(environment, taskQueue, 'worker-1', { env: blobEnv });
    const session = await MultiParticipantSession.create(
      client,
      {
        strategy: 'roundRobin',
        // Room for three such answers in a participant's context, so each is shown the earlier ones.
        maxTokens: 2_000_000,
        participants: NAMES.map((name) => panelist(name)),
      },
      { taskQueue },
    );
    const handle = client.workflow.getHandle(session.sessionId);
    const round = session.sendMessage('user', 'Write at length.');

    await waitUntilInFlight('B to be answering', handle, () => answerer.held.length === 1);
    expect(completedCalls(mock).map((call) => call.speaker)).toEqual(['A']);

    const { worker: second } = await replaceWorker(environment, first, 'worker-2', {
      entry: 'main',
      env: blobEnv,
    });
    const responses = await round;

    // Every answer delivered whole: what the mock produced, byte for byte, to the right participant.
    const whole = (name: string, content: string) => [name, content.length, content === bigAnswer(name)];
    expect(responses.map((r) => [r.participantName, r.status, r.shown])).toEqual([
      ['A', 'ok', []],
      ['B', 'ok', ['A']],
      ['C', 'ok', ['A', 'B']],
    ]);
    expect(responses.map((r) => whole(r.participantName, r.content))).toEqual(
      NAMES.map((name) => [name, bigAnswer(name).length, true]),
    );
    // Only the call in flight at the kill was made again; A's (made by the killed worker) was not.
    // aimock journals a request body over 64 KB as its size only: B's and C's requests carry the
    // answers they were shown (one and two of ~150 KB), which tells them apart here.
    const shownAnswers = (body: unknown) =>
      Math.floor(((body as { originalByteSize?: number }).originalByteSize ?? 0) / ANSWER_CHARS);
    expect(
      completedCalls(mock).map((call) => [call.worker, call.speaker, shownAnswers(call.entry.body)]),
    ).toEqual([
      ['worker-1', 'A', 0],
      ['worker-2', 'unknown', 1],
      ['worker-2', 'unknown', 2],
    ]);
    expect(answerer.started.map((start) => `${start.speaker}${start.nth}`)).toEqual(['A1', 'B1', 'B2', 'C1']);
    const history = await handle.fetchHistory();
    const activities = completedActivities(history);
    expect(activities.scheduled).toBe(3);
    expect(activities.completed.map((a) => [a.attempt, a.identity?.split('@')[0]])).toEqual([
      [1, String(first.pid)],
      [2, String(second.pid)],
      [1, String(second.pid)],
    ]);

    // The transcript: the message and each answer recorded once, in order, whole.
    const transcript = await session.transcript();
    expect(
      transcript.map((entry) => [
        entry.round,
        entry.from,
        entry.from === 'user' ? entry.content : entry.content === bigAnswer(entry.from),
      ]),
    ).toEqual([
      [1, 'user', 'Write at length.'],
      [1, 'A', true],
      [1, 'B', true],
      [1, 'C', true],
    ]);
    const view = await session.view();
    expect([view.transcriptLength, view.transcriptDropped]).toEqual([4, 0]);

    // The history holds references to the blobs, not the answers (the activity results, the inputs
    // that show earlier answers, the round's result): with COUNCIL_BLOB_STORE=none the content check
    // below finds every answer.
    const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    const contentIn = NAMES.map((name) => bytes.includes(bigAnswer(name).slice(0, 2000)));
    expect(contentIn).toEqual([false, false, false]);
    expect(bytes.length).toBeLessThan(200_000);
    const references = referencesIn(history);
    expect(references.length).toBeGreaterThanOrEqual(4);
    expect(new Set(references.map((r) => r.driverName))).toEqual(new Set([blobs.store?.driver.name]));

    expect((await session.close()).usage.totalTokens).toBe(3 * 15);
  }, 180_000);
});
