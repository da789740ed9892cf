import { MultiParticipantSession } from '../../client/api/session';
import {
  SESSION_PROGRESS_LIMITS,
  sessionProgressQuery,
  type SessionProgressEvent,
} from '../../common/sessionProgress';
import { answerAsParticipants } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';

// The session's progress log, queried directly on the real dev server: every state a call goes
// through, however fast, with offsets that stay valid as the log drops its oldest events and
// continues-as-new.
const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;

/** The log's events as `[kind, who, state]`, for order checks. */
const steps = (events: SessionProgressEvent[]) =>
  events.map((e) => [e.kind, e.kind === 'call' ? e.participant : '', e.kind === 'call' ? e.state : '']);

describe('session progress log', () => {
  // Delay 0: each call ends well within one poll of any watcher.
  const bench = useMockHarness('session-progress', (mock) => answerAsParticipants(mock, 0));

  it('logs each instant answer thinking before done, with the answer it names', async () => {
    const { client, taskQueue } = bench.harness;
    const session = await MultiParticipantSession.create(client, { strategy: 'broadcast' }, { taskQueue });
    await session.addParticipant('Ada', model, 'panelist');
    await session.addParticipant('Bob', model, 'panelist');
    await session.sendMessage('user', 'Which option?');
    const handle = client.workflow.getHandle(session.sessionId);
    const page = await handle.query(sessionProgressQuery, { fromEvent: 0 });
    const logged = steps(page.events);
    expect(logged[0]).toEqual(['message', '', '']);
    expect(logged.at(-1)).toEqual(['roundEnd', '', '']);
    // The calls run at once, so they may end in either order; each thinks before it is done.
    for (const name of ['Ada', 'Bob']) {
      const at = (state: string) => logged.findIndex(([, who, s]) => who === name && s === state);
      expect(at('thinking')).toBeGreaterThan(0);
      expect(at('done')).toBeGreaterThan(at('thinking'));
    }
    expect(page.events.map((e) => e.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(page.events.every((e) => e.round === 1 && !Number.isNaN(Date.parse(e.at)))).toBe(true);
    expect(page).toMatchObject({ round: 1, closed: false, nextEvent: 6, totalEvents: 6, firstEvent: 0 });
    const ada = page.events.find((e) => e.kind === 'call' && e.participant === 'Ada' && e.state === 'done');
    expect(ada).toMatchObject({ tokenUsage: { totalTokens: 15 }, transcriptIndex: expect.any(Number) });
    const named = page.entries.find((e) => ada?.kind === 'call' && e.index === ada.transcriptIndex);
    expect(named?.entry).toMatchObject({ from: 'Ada', status: 'ok', round: 1 });
    // Read on from where the page ended: nothing new, the same offsets.
    const next = await handle.query(sessionProgressQuery, { fromEvent: page.nextEvent });
    expect(next).toMatchObject({ events: [], nextEvent: 6, totalEvents: 6 });
    await session.close();
  });

  it('keeps the newest events across continue-as-new, its offsets monotonic, saying what it dropped', async () => {
    const { client, taskQueue } = bench.harness;
    const session = await MultiParticipantSession.create(client, { strategy: 'broadcast' }, { taskQueue });
    await session.addParticipant('Solo', model, 'panelist');
    // Four events a round (message, thinking, done, round end): past the bound, and past the dev
    // server's continue-as-new suggestion (test/setup/globalSetup.ts).
    const rounds = Math.ceil(SESSION_PROGRESS_LIMITS.maxEvents / 4) + 10;
    for (let round = 1; round <= rounds; round += 1) await session.sendMessage('user', `turn ${round}`);
    const view = await session.view();
    expect(view.runs).toBeGreaterThan(1);
    const handle = client.workflow.getHandle(session.sessionId);
    const page = await handle.query(sessionProgressQuery, { fromEvent: 0 });
    const total = rounds * 4;
    expect(page.totalEvents).toBe(total);
    expect(page.firstEvent).toBe(total - SESSION_PROGRESS_LIMITS.maxEvents);
    expect(page.events).toHaveLength(SESSION_PROGRESS_LIMITS.maxEvents);
    expect(page.events.map((e) => e.index)).toEqual(
      Array.from({ length: SESSION_PROGRESS_LIMITS.maxEvents }, (_, i) => page.firstEvent + i),
    );
    expect(page.events.at(-1)).toMatchObject({ kind: 'roundEnd', round: rounds });
    // A reader that stopped mid-way reads on from its offset, whatever run holds the log now.
    const tail = await handle.query(sessionProgressQuery, { fromEvent: total - 2, maxEvents: 1 });
    expect(steps(tail.events)).toEqual([['call', 'Solo', 'done']]);
    expect(tail).toMatchObject({ nextEvent: total - 1, totalEvents: total });
    await session.close();
  });
});
