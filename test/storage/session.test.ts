import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LLMock } from '@copilotkit/aimock';
import { temporal } from '@temporalio/proto';
import { createLlmActivities } from '../../activities';
import { MultiParticipantSession } from '../../client/api/session';
import { councilDataConverter, openBlobStore, closeBlobStore, type BlobStore } from '../../storage/converter';
import { readRunHistory } from '../../client/ui/runHistory';
import { referencesIn } from '../../storage/references';
import { mockClients, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { expectDeliveredOf, overAnswerCap } from '../helpers/answers';
import { startS3Server, type S3TestServer } from '../helpers/moto';
import { startHarness } from '../helpers/testEnv';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const FILLER = 'lorem ipsum dolor sit amet ';
/** About 600 KB: above the 256 KiB threshold, and three of them exceed the 2 MB payload limit together. */
const bigAnswer = (speaker: string) => `${speaker} says: ${FILLER.repeat(22_000)}`;

/**
 * A round whose answers are ~600 KB each completes, and its history keeps references, not content:
 * without a blob store the same session's history holds every answer at least twice (activity result
 * and round result), megabytes that walk towards the 2 MB payload and 50 MB history limits.
 */
async function largeRound(mock: LLMock, store: BlobStore): Promise<void> {
  const dataConverter = councilDataConverter(store);
  const harness = await startHarness('blobs', createLlmActivities(mockClients(mock)), { dataConverter });
  try {
    const session = await MultiParticipantSession.create(
      harness.client,
      { strategy: 'broadcast', maxTokens: 2_000_000 },
      { taskQueue: harness.taskQueue },
    );
    for (const name of ['Ann', 'Bob', 'Cy']) await session.addParticipant(name, model, 'panelist');
    const responses = await session.sendMessage('user', 'Write at length');
    expect(responses.map((r) => [r.participantName, r.status])).toEqual([
      ['Ann', 'ok'],
      ['Bob', 'ok'],
      ['Cy', 'ok'],
    ]);
    // Each answer is over the 256 KiB answer cap: what arrives is its true beginning and the notice.
    for (const response of responses) {
      expect(overAnswerCap(bigAnswer(response.participantName))).toBe(true);
      expectDeliveredOf(response.content, bigAnswer(response.participantName));
      expect(response.truncated).toBe(true);
    }

    const history = await harness.client.workflow.getHandle(session.sessionId).fetchHistory();
    const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    expect(bytes.includes(FILLER.repeat(20))).toBe(false);
    expect(bytes.length).toBeLessThan(200_000);
    const references = referencesIn(history);
    // Three activity results and the round's update result, at least.
    expect(references.length).toBeGreaterThanOrEqual(4);
    expect(new Set(references.map((r) => r.driverName))).toEqual(new Set([store.driver.name]));
    // The Web UI's run page reads the round's result from the history: through the store too.
    const read = await readRunHistory(harness.client, session.sessionId);
    expect(read.shown.map((entry) => entry.participant)).toEqual(['Ann', 'Bob', 'Cy']);
    expect(read.times.map((time) => time.participant).sort()).toEqual(['Ann', 'Bob', 'Cy']);
  } finally {
    await harness.close();
  }
}

describe('large answers leave the history through the blob store', () => {
  let mock: LLMock;
  beforeAll(async () => {
    mock = await startMockLlm();
    mock.on(
      { predicate: () => true },
      (request) => ({ content: bigAnswer(speakerOf({ body: request }) ?? '?') }),
      {
        chunkSize: 100_000,
      },
    );
  });
  afterAll(async () => mock?.stop());

  it('directory store: three 600 KB answers complete, the history holds references only', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'council-blobs-'));
    try {
      await largeRound(mock, openBlobStore({ store: 'dir', dir, thresholdBytes: 256 * 1024 })!);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('S3 store (moto)', () => {
    let server: S3TestServer;
    beforeAll(async () => {
      server = await startS3Server();
    });
    afterAll(async () => server?.stop());

    it('three 600 KB answers complete, the history holds references only', async () => {
      const store = openBlobStore({ store: 's3', thresholdBytes: 256 * 1024, ...server.location })!;
      try {
        await largeRound(mock, store);
      } finally {
        closeBlobStore(store);
      }
    });
  });
});
