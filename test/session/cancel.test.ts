import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { MultiParticipantSession } from '../../client/api/session';
import { CouncilStatusKey } from '../../common/searchAttributes';
import { SESSION_SUMMARY_MEMO_KEY, type SessionSummary } from '../../common/session';
import { transcriptQuery } from '../../common/sessionApi';
import { mockClients, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;

describe('a session cancelled in the middle of a round on the real dev server', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;
  /** Requests as they reach the mock (its journal records one only once answered). */
  let arrived = 0;

  beforeAll(async () => {
    mock = await startMockLlm();
    mock.on(
      { predicate: (request) => speakerOf({ body: request }) === 'Quick' },
      { content: 'quick answer', usage: { prompt_tokens: 10, completion_tokens: 5 } },
    );
    // Every other call is held long enough for the test to cancel the session meanwhile.
    mock.on({ predicate: (request) => speakerOf({ body: request }) !== 'Quick' }, async () => {
      arrived += 1;
      await new Promise((resolve) => setTimeout(resolve, 20_000));
      return { content: 'late answer', usage: { prompt_tokens: 10, completion_tokens: 5 } };
    });
    harness = await startHarness('session-cancel', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });

  it('ends cancelled, says so, and records no participant as skipped', async () => {
    const session = await MultiParticipantSession.create(
      harness.client,
      { systemPrompt: 'System prompt', strategy: 'broadcast' },
      { taskQueue: harness.taskQueue },
    );
    await session.addParticipant('A', model, 'panelist');
    await session.addParticipant('B', model, 'panelist');
    const round = session.sendMessage('user', 'Hello').then(
      () => undefined,
      (error: unknown) => error,
    );
    for (let i = 0; i < 200 && arrived < 2; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(arrived).toBe(2);

    const handle = harness.client.workflow.getHandle(session.sessionId);
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    await round;
    const description = await handle.describe();
    expect(description.status.name).toBe('CANCELLED');
    expect(description.typedSearchAttributes.get(CouncilStatusKey)).toBe('cancelled');
    const transcript = await handle.query(transcriptQuery, { fromIndex: 0 });
    expect(transcript.filter((entry) => entry.status === 'skipped')).toEqual([]);
  });

  it('leaves its totals in its memo, as a closed session does (`council list` showed no tokens)', async () => {
    const session = await MultiParticipantSession.create(
      harness.client,
      { systemPrompt: 'System prompt', strategy: 'broadcast' },
      { taskQueue: harness.taskQueue },
    );
    await session.addParticipant('Quick', model, 'panelist');
    await session.sendMessage('user', 'First');
    await session.addParticipant('Held', model, 'panelist');
    const before = arrived;
    const round = session.sendMessage('user', 'Second').catch((error: unknown) => error);
    for (let i = 0; i < 200 && arrived === before; i += 1) await new Promise((r) => setTimeout(r, 50));
    expect(arrived).toBe(before + 1);

    const handle = harness.client.workflow.getHandle(session.sessionId);
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    await round;
    const { memo } = await handle.describe();
    const summary = memo?.[SESSION_SUMMARY_MEMO_KEY] as SessionSummary | undefined;
    // Quick's two answers, 15 tokens each; Held's call was cancelled unanswered.
    expect(summary?.usage.totalTokens).toBe(30);
    expect(summary?.participants).toEqual(['Quick', 'Held']);
  });
});
