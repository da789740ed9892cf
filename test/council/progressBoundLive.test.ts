import { startCouncil } from '../../client/api/council';
import { attachCouncil } from '../../client/api/councilAttach';
import { readCouncilProgress } from '../../client/api/councilRead';
import { runView } from '../../client/ui/runView';
import { COUNCIL_PROGRESS_LIMITS } from '../../common/councilApi';
import { answerAsParticipants } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';
import { council, expert } from './support';
import { clusterEnv, expectSuccess, runCli, stopStartedClis } from '../cli/cli';

// `council attach` is spawned (as the CLI tests do), on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

// A council whose progress log passes its bound on the real dev server: a reader from an old offset
// is told which events were dropped and reads on from the oldest held, and the readers (the library's
// follower, `council attach`, the run page) say so and go on.
describe('a council past its progress log bound', () => {
  const bed = useMockHarness('council-progress-bound', answerAsParticipants);
  const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
  const id = `council-progress-bound-${Date.now()}`;

  it('pages from an old offset, and its readers name the dropped events', async () => {
    // Six experts debating 16 rounds with messaging: each call logs thinking, done and its message.
    const context = council(
      'adversarial',
      ids.map((x) => expert(x)),
      { enableMessaging: true, debateRounds: 16 },
    );
    await startCouncil(bed.harness.client, context, { taskQueue: bed.harness.taskQueue, councilId: id });
    await bed.harness.client.workflow.getHandle(id).result();

    const first = await readCouncilProgress(bed.harness.client, id, 3);
    expect(first.totalEvents).toBeGreaterThan(COUNCIL_PROGRESS_LIMITS.maxEvents);
    expect(first.firstEvent).toBe(first.totalEvents - COUNCIL_PROGRESS_LIMITS.maxEvents);
    expect(first.events[0]?.seq).toBe(first.firstEvent);
    expect(first.events.map((e) => e.seq)).toEqual(first.events.map((_, i) => first.firstEvent + i));
    const last = await readCouncilProgress(bed.harness.client, id, first.totalEvents - 1);
    expect(last.events.map((e) => e.seq)).toEqual([first.totalEvents - 1]);

    const dropped: Array<{ fromEvent: number; firstEvent: number }> = [];
    const seqs: number[] = [];
    const result = await attachCouncil(bed.harness.client, id, {
      onEventsDropped: (d) => void dropped.push(d),
      onExpertUpdate: (_expert, update) => void seqs.push(update.seq),
    });
    expect(dropped).toEqual([{ fromEvent: 0, firstEvent: first.firstEvent }]);
    expect(Math.min(...seqs)).toBeGreaterThanOrEqual(first.firstEvent);
    // Phased: each debate round is a round of positions, then one of critiques.
    expect(result.rounds).toBe(32);
    // From an offset still held nothing was dropped.
    const held: unknown[] = [];
    await attachCouncil(bed.harness.client, id, {
      fromEvent: first.firstEvent,
      onEventsDropped: (d) => void held.push(d),
    });
    expect(held).toEqual([]);

    // `session attach` follows a council with the CLI's follower; the harness's worker answers its queries.
    const attached = await runCli(['session', 'attach', id, '--json'], clusterEnv('progress-bound'));
    expectSuccess(attached);
    expect(attached.stderr).toContain(
      `council ${id}: events 0-${first.firstEvent - 1} of its progress log are no longer held (it keeps the ` +
        `newest ${COUNCIL_PROGRESS_LIMITS.maxEvents}): the turns they logged are not shown; following from ` +
        `event ${first.firstEvent}`,
    );
    // The document is long (every message): runCli keeps its start.
    expect(attached.stdout).toMatch(/^\{\s*"schemaVersion": \d+,\s*"type": "council-result"/);

    const view = await runView(bed.harness.client, id, async () => undefined);
    expect(view.round).toBe(32);
    expect(view.entries[0]).toMatchObject({ from: 'Progress log', role: 'note', status: 'dropped' });
    expect(view.entries[0]?.content).toContain(`The first ${first.firstEvent} events`);
    expect(view.participants.map((p) => p.id)).toEqual([...ids, 'Synthesizer']);
    const critiques = view.entries.filter((e) => e.round === 32 && e.role === 'critique');
    expect(critiques.map((e) => e.from)).toEqual(ids.map((x) => `Expert ${x.toUpperCase()}`));
  });
});
