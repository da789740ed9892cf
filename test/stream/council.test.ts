import type { LLMock } from '@copilotkit/aimock';
import type { Connection } from '@temporalio/client';
import { createLlmActivities } from '../../activities';
import { executeCouncilExperts } from '../../client/api/council';
import { Council } from '../../client/api/local';
import { MultiParticipantSession } from '../../client/api/session';
import type { TokenEvent } from '../../client/api/tokens';
import { council, expert, model } from '../council/support';
import { mockClients, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { waitFor } from '../helpers/wait';

// onToken for councils, and a watcher that attaches while an answer streams: the mock writes a
// chunk every 30 ms, so each answer streams for about two seconds.
const answer = Array.from({ length: 60 }, (_, i) => `thought${i}`).join(' ') + '.';

let mock: LLMock;
let harness: TemporalTestHarness;

beforeAll(async () => {
  mock = await startMockLlm();
  mock.on({ predicate: () => true }, { content: answer }, { chunkSize: 6, latency: 30 });
  harness = await startHarness('stream-council', createLlmActivities(mockClients(mock), { env: {} }));
});
afterAll(async () => {
  await harness?.close();
  await mock?.stop();
});

describe('streamed text for councils and late watchers', () => {
  it('a council hands on each expert’s and the synthesizer’s text as it streams', async () => {
    const events: TokenEvent[] = [];
    const result = await executeCouncilExperts(
      harness.client,
      council('parallel', [expert('a')]),
      undefined,
      undefined,
      { taskQueue: harness.taskQueue, onToken: (event) => events.push(event) },
    );
    expect(result.synthesis.status).toBe('done');
    for (const who of ['a', 'Synthesizer']) {
      const mine = events.filter((event) => event.participant === who);
      expect(mine.some((event) => event.text.length > 0 && event.text.length < answer.length)).toBe(true);
      for (const event of mine) expect(answer.startsWith(event.text)).toBe(true);
    }
    expect(events.find((event) => event.participant === 'Synthesizer')?.callId).toMatch(/\.synthesis\./);
  });

  it('Council.executeCouncilExperts passes onToken on (its type refused it: `npm run typecheck` fails on the old one)', async () => {
    const events: TokenEvent[] = [];
    const client = Council.connect({
      connection: harness.client.connection as Connection,
      taskQueue: harness.taskQueue,
    });
    const result = await client.executeCouncilExperts(
      council('parallel', [expert('a')]),
      undefined,
      undefined,
      {
        onToken: (event) => events.push(event),
        pollIntervalMs: 50,
      },
    );
    expect(result.synthesis.status).toBe('done');
    expect(events.some((event) => event.participant === 'a' && event.text.length > 0)).toBe(true);
  });

  it('a watcher that attaches mid-answer is shown the text so far at once, then the rest', async () => {
    const session = await MultiParticipantSession.create(
      harness.client,
      { strategy: 'broadcast' },
      { taskQueue: harness.taskQueue },
    );
    await session.addParticipant('Thinker', model, 'panelist');
    const early: TokenEvent[] = [];
    const late: TokenEvent[] = [];
    const round = session.sendMessage('user', 'Go', { onToken: (event) => early.push(event) });
    await waitFor('a third of the answer', () => (early.at(-1)?.text.length ?? 0) > answer.length / 3);
    const lateWatch = session.watchTokens((event) => late.push(event));
    const [response] = await round;
    await lateWatch.stop();
    expect(response?.content).toBe(answer);
    // Its first event holds everything streamed before it came (the answer is shorter than the tail).
    expect(late[0]?.text.length).toBeGreaterThan(answer.length / 3);
    expect(late[0]).toMatchObject({ offset: 0, gap: false, restarted: false });
    expect(late.length).toBeGreaterThan(1);
    for (const event of late) expect(answer.startsWith(event.text)).toBe(true);
  });
});
