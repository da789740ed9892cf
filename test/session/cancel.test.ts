import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { MultiParticipantSession } from '../../client/api/session';
import { CouncilStatusKey } from '../../common/searchAttributes';
import { SESSION_SUMMARY_MEMO_KEY, type SessionSummary } from '../../common/session';
import { transcriptQuery } from '../../common/sessionApi';
import { mockClients, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { waitFor } from '../helpers/wait';
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

  async function broadcastSession(...names: string[]): Promise<MultiParticipantSession> {
    const session = await MultiParticipantSession.create(
      harness.client,
      { systemPrompt: 'System prompt', strategy: 'broadcast' },
      { taskQueue: harness.taskQueue },
    );
    for (const name of names) await session.addParticipant(name, model, 'panelist');
    return session;
  }

  /** Cancels the session, and waits for it and for the round in flight to end. */
  async function cancelled(session: MultiParticipantSession, round: Promise<unknown>) {
    const handle = harness.client.workflow.getHandle(session.sessionId);
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    await round;
    return handle;
  }

  it('ends cancelled, says so, and records no participant as skipped', async () => {
    const session = await broadcastSession('A', 'B');
    const round = session.sendMessage('user', 'Hello').then(
      () => undefined,
      (error: unknown) => error,
    );
    await waitFor('both calls at the mock', () => arrived === 2);

    const handle = await cancelled(session, round);
    const description = await handle.describe();
    expect(description.status.name).toBe('CANCELLED');
    expect(description.typedSearchAttributes.get(CouncilStatusKey)).toBe('cancelled');
    const transcript = await handle.query(transcriptQuery, { fromIndex: 0 });
    expect(transcript.filter((entry) => entry.status === 'skipped')).toEqual([]);
  });

  it('leaves its totals in its memo, as a closed session does (`council list` showed no tokens)', async () => {
    const session = await broadcastSession('Quick');
    await session.sendMessage('user', 'First');
    await session.addParticipant('Held', model, 'panelist');
    const before = arrived;
    const round = session.sendMessage('user', 'Second').catch((error: unknown) => error);
    // Held's call at the mock, and Quick's answer recorded: the cancel must not race it.
    await waitFor('Held held and Quick answered in round 2', async () => {
      const transcript = await session.transcript(0);
      return arrived === before + 1 && transcript.some((e) => e.from === 'Quick' && e.round === 2);
    });

    const handle = await cancelled(session, round);
    const { memo } = await handle.describe();
    const summary = memo?.[SESSION_SUMMARY_MEMO_KEY] as SessionSummary | undefined;
    // Quick's two answers, 15 tokens each; Held's call was cancelled unanswered.
    expect(summary?.usage.totalTokens).toBe(30);
    expect(summary?.participants).toEqual(['Quick', 'Held']);
  });
});
