import type { ChatCompletionRequest, LLMock } from '@copilotkit/aimock';
import { temporal } from '@temporalio/proto';
import { createLlmActivities } from '../../activities';
import { MultiParticipantSession } from '../../client/api/session';
import type { TokenEvent } from '../../client/api/tokens';
import { STREAM_DETAILS_KIND } from '../../common/stream';
import { mockClients, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';

// Streaming to watchers on the real dev server: the mock writes slowly (a chunk every 30 ms), so a
// watcher polling the pending calls' heartbeats sees the text grow before the round ends.
const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const answer = Array.from({ length: 60 }, (_, i) => `idea${i}`).join(' ') + '.';
const slow = { chunkSize: 6, latency: 30 };
const { EventType } = temporal.api.enums.v1;
const WORKFLOW_TASK_EVENTS = new Set<unknown>([
  EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
]);

let mock: LLMock;
let harness: TemporalTestHarness;

beforeAll(async () => {
  mock = await startMockLlm();
  harness = await startHarness('stream', createLlmActivities(mockClients(mock), { env: {} }));
});
afterAll(async () => {
  await harness?.close();
  await mock?.stop();
});

const speaking = (name: string) => (request: ChatCompletionRequest) => speakerOf({ body: request }) === name;

async function sessionWith(name: string) {
  const session = await MultiParticipantSession.create(
    harness.client,
    { strategy: 'broadcast' },
    { taskQueue: harness.taskQueue },
  );
  await session.addParticipant(name, model, 'panelist', {
    retry: { maximumAttempts: 3, initialIntervalMs: 100, backoffCoefficient: 1 },
  });
  return session;
}

/** Runs one round with a watcher; the events, each marked with whether the round had ended. */
async function roundWatched(session: MultiParticipantSession) {
  const events: Array<TokenEvent & { roundOver: boolean }> = [];
  let roundOver = false;
  const responses = await session
    .sendMessage('user', 'Think aloud', { onToken: (event) => events.push({ ...event, roundOver }) })
    .finally(() => (roundOver = true));
  return { events, responses };
}

describe('a watcher sees the text of a streaming participant grow', () => {
  it('partial text arrives before the answer ends, each piece in order after the last', async () => {
    mock.on({ predicate: speaking('Slow') }, { content: answer }, slow);
    const { events, responses } = await roundWatched(await sessionWith('Slow'));
    expect(responses[0]).toMatchObject({ status: 'ok', content: answer });
    const early = events.filter((e) => !e.roundOver && e.text.length > 0 && e.text.length < answer.length);
    expect(early.length).toBeGreaterThanOrEqual(2);
    for (const event of events) {
      expect(event).toMatchObject({ participant: 'Slow', callId: 'r1.answer.Slow', offset: 0, gap: false });
      expect(answer.startsWith(event.text)).toBe(true);
    }
    expect(events.map((e) => e.delta).join('')).toBe(events.at(-1)?.text);
  });

  it('a retried attempt starts the text over, and the watcher follows it to the end', async () => {
    // The first attempt's connection is cut after 20 chunks (600 ms of text); the retry answers in full.
    mock.on(
      { predicate: speaking('Cut'), sequenceIndex: 0 },
      { content: answer },
      { ...slow, truncateAfterChunks: 20 },
    );
    mock.on({ predicate: speaking('Cut') }, { content: answer }, slow);
    const { events, responses } = await roundWatched(await sessionWith('Cut'));
    expect(responses[0]).toMatchObject({ status: 'ok', content: answer });
    const restart = events.findIndex((e) => e.restarted);
    expect(restart).toBeGreaterThan(0);
    expect(events.slice(0, restart).every((e) => e.attempt === 1)).toBe(true);
    expect(events[restart]).toMatchObject({ attempt: 2, text: '' });
    const after = events.slice(restart + 1);
    expect(after.some((e) => e.text.length > 0 && !e.roundOver)).toBe(true);
    for (const event of after) expect(answer.startsWith(event.text)).toBe(true);
  });

  it('the history of a round is the same with a watcher as without one: no streamed text in it', async () => {
    mock.on({ predicate: speaking('Plain') }, { content: answer }, slow);
    const histories = [];
    for (const watched of [false, true]) {
      const session = await sessionWith('Plain');
      if (watched) await roundWatched(session);
      else await session.sendMessage('user', 'Think aloud');
      await session.close();
      const history = await harness.client.workflow.getHandle(session.sessionId).fetchHistory();
      histories.push(history);
    }
    // Workflow tasks are left out: whether the first one took the addParticipant update with the start
    // or a task of its own depends on when the worker polled, a race of the setup, not of the watcher.
    const [without, withWatcher] = histories.map((h) =>
      (h?.events ?? []).filter((event) => !WORKFLOW_TASK_EVENTS.has(event.eventType)),
    );
    const bytes = [without, withWatcher].map((events) => JSON.stringify(events).length);
    expect(withWatcher?.map((e) => e.eventType)).toEqual(without?.map((e) => e.eventType));
    // Timestamps and ids differ a little between two runs; streamed text would add kilobytes.
    expect(Math.abs((bytes[1] ?? 0) - (bytes[0] ?? 0))).toBeLessThan(200);
    expect(JSON.stringify(histories[1])).not.toContain(STREAM_DETAILS_KIND);
  });
});
