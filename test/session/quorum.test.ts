import { sessionFileSchema } from '../../client/api/config';
import { validSessionConfig, MultiParticipantSession } from '../../client/api/session';
import { sessionProgressQuery } from '../../common/sessionProgress';
import { zodProblem } from '../../common/validation';
import type { SessionConfigInput, TranscriptEntry } from '../../common/session';
import { useDelayedHarness } from '../helpers/delayedMock';
import { waitFor } from '../helpers/wait';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const panel = (count: number) =>
  Array.from({ length: count }, (_, index) => ({
    name: `Agent-${index + 1}`,
    role: 'panelist' as const,
    model,
  }));
const slow = (name: string, ms: number) => new Map([[`${name}|${model.model}`, ms]]);

describe('session quorum rounds and deadlines on the real dev server', () => {
  const bench = useDelayedHarness('session-quorum');

  const start = (config: SessionConfigInput) =>
    MultiParticipantSession.create(bench.harness.client, config, { taskQueue: bench.harness.taskQueue });
  const lateEntries = async (session: MultiParticipantSession, count: number) => {
    let entries: TranscriptEntry[] = [];
    await waitFor(`${count} late answer(s) in the transcript`, async () => {
      entries = (await session.transcript()).filter((entry) => entry.late === true);
      return entries.length >= count;
    });
    return entries;
  };

  it('quorum 2 of 3: the round closes with two answers; the slow one is recorded late in the transcript', async () => {
    bench.answers.delays = slow('Agent-3', 5_000);
    const session = await start({ strategy: 'broadcast', quorum: 2, participants: panel(3) });
    const started = Date.now();
    const handle = bench.harness.client.workflow.getHandle(session.sessionId);
    // The library's round result, not only its responses: it says the round closed early.
    const result = await session.sendRound('user', 'Which database?');

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.responses.map((r) => r.participantName).sort()).toEqual(['Agent-1', 'Agent-2']);
    expect(result.closedEarly).toEqual({ reason: 'quorum', late: ['Agent-3'] });
    // Sent at once: the next round waits for the late call, so Agent-3 is never called twice at once.
    bench.answers.delays = new Map();
    const next = session.sendMessage('user', 'And the cache?');

    const [late] = await lateEntries(session, 1);
    expect(late).toMatchObject({ from: 'Agent-3', content: 'Agent-3: answer from gpt-4o-mini', late: true });
    const transcript = await session.transcript();
    const inTime = transcript.filter(
      (entry) => entry.round === 1 && entry.late === undefined && entry.from.startsWith('Agent-'),
    );
    expect(inTime.map((entry) => entry.from).sort()).toEqual(['Agent-1', 'Agent-2']);
    expect(transcript.some((entry) => /round 1 closed: a quorum of 2 answered/.test(entry.content))).toBe(
      true,
    );
    expect((await next).length).toBeGreaterThanOrEqual(2);
    // The progress log: round 1 ends closed early, then Agent-3's call ends late, before round 2 starts.
    const { events } = await handle.query(sessionProgressQuery, {});
    const steps = events.map((e) =>
      e.kind === 'call'
        ? `${e.round} ${e.participant} ${e.state}${e.late ? ' late' : ''}`
        : `${e.round} ${e.kind}`,
    );
    const at = (step: string) => steps.indexOf(step);
    expect(events.find((e) => e.kind === 'roundEnd' && e.round === 1)).toMatchObject({
      closedEarly: { reason: 'quorum', late: ['Agent-3'] },
    });
    expect(at('1 Agent-3 done late')).toBeGreaterThan(at('1 roundEnd'));
    expect(at('2 message')).toBeGreaterThan(at('1 Agent-3 done late'));
    const agent3 = bench.answers.arrivals.filter((arrival) => arrival.speaker === 'Agent-3');
    expect(agent3).toHaveLength(2);
    expect(agent3[1]!.at - agent3[0]!.at).toBeGreaterThanOrEqual(5_000);
    await session.close();
  });

  it('a deadline closes the round while a participant hangs; its answer arrives late', async () => {
    bench.answers.delays = slow('Agent-2', 8_000);
    const session = await start({ strategy: 'broadcast', deadlineMs: 1_500, participants: panel(2) });
    const started = Date.now();
    const responses = await session.sendMessage('user', 'Which queue?');

    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1_500);
    expect(elapsed).toBeLessThan(8_000);
    expect(responses).toEqual([expect.objectContaining({ participantName: 'Agent-1', status: 'ok' })]);
    const [late] = await lateEntries(session, 1);
    expect(late).toMatchObject({ from: 'Agent-2', content: 'Agent-2: answer from gpt-4o-mini' });
    // Taking turns would cut the others short: the strategy cannot change away from broadcast.
    await expect(session.setOrchestrationStrategy('roundRobin')).rejects.toThrow(
      'cannot change strategy: deadlineMs applies to the broadcast strategy only (this session is "roundRobin")',
    );
    const view = await session.close();
    expect(view.closed).toBe(true);
  });

  it('refuses a quorum or deadline outside broadcast, naming the key and the fix', () => {
    expect(() => validSessionConfig({ strategy: 'roundRobin', quorum: 1, participants: panel(2) })).toThrow(
      'quorum applies to the broadcast strategy only (this session is "roundRobin")',
    );
    expect(() =>
      validSessionConfig({ strategy: 'custom', deadlineMs: 2_000, participants: panel(2) }),
    ).toThrow('deadlineMs applies to the broadcast strategy only');
    const file = sessionFileSchema.safeParse({ strategy: 'roundRobin', quorum: 1, participants: panel(2) });
    expect(file.success ? '' : zodProblem(file.error)).toContain(
      'quorum: quorum applies to the broadcast strategy only',
    );
  });
});
