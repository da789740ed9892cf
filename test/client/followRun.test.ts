import type { WorkflowHandle } from '@temporalio/client';
import { startCouncil } from '../../client/api/council';
import { followRun } from '../../client/api/followRun';
import type { RunProgressItem } from '../../client/api/progressPage';
import { readRunLog } from '../../client/api/runLog';
import { councilBody } from '../../client/ui/councilView';
import { councilProgressQuery } from '../../common/councilApi';
import { findRun } from '../../client/api/runs';
import { MultiParticipantSession } from '../../client/api/session';
import { CouncilUserError } from '../../common/userError';
import { council, expert, model, scriptedCouncil } from '../council/support';
import { useMockHarness } from '../helpers/mockHarness';

// The library's one follower of a run's progress log, on the real dev server: a session followed
// across continue-as-new, a follower that starts late, a council, and an id that names no run.
/** Rounds a session plays at most before it must have continued as new (the dev server suggests it at 400 events). */
const MAX_ROUNDS = 60;

/** Drains a follow: its items, and why it ended. */
async function drain(log: ReturnType<typeof followRun>) {
  const items: RunProgressItem[] = [];
  for (let next = await log.next(); ; next = await log.next()) {
    if (next.done) return { items, end: next.value };
    items.push(next.value);
  }
}

/** The handle, with a count of the times it was asked to describe its run. */
function countingDescribes(handle: WorkflowHandle) {
  const counts = { describe: 0 };
  const counted: WorkflowHandle = Object.assign(Object.create(handle) as WorkflowHandle, {
    describe: () => {
      counts.describe += 1;
      return handle.describe();
    },
  });
  return { handle: counted, counts };
}

const indexOf = (item: RunProgressItem) => (item.kind === 'session' ? item.event.index : item.event.seq);

describe('followRun', () => {
  const bench = useMockHarness('follow-run', (mock) => scriptedCouncil(mock));

  it('follows a session across continue-as-new to its end, every event once and in order', async () => {
    const { client, taskQueue } = bench.harness;
    const session = await MultiParticipantSession.create(client, { strategy: 'broadcast' }, { taskQueue });
    await session.addParticipant('Solo', model, 'panelist');
    const handle = client.workflow.getHandle(session.sessionId);
    const following = drain(followRun(handle, { pollMs: 50 }));
    let rounds = 0;
    while (rounds < MAX_ROUNDS && (await session.view()).runs === 1) {
      rounds += 1;
      await session.sendMessage('user', `turn ${rounds}`);
    }
    expect((await session.view()).runs).toBeGreaterThan(1);
    await session.close();
    const { items, end } = await following;
    expect(end).toEqual({ reason: 'run-closed', status: 'COMPLETED' });
    expect(items.map(indexOf)).toEqual(items.map((_, i) => i));
    const answers = items.filter(
      (item) => item.kind === 'session' && item.event.kind === 'call' && item.entry,
    );
    expect(answers).toHaveLength(rounds);
    expect(answers[0]).toMatchObject({ entry: { from: 'Solo', round: 1, status: 'ok' } });
    // A follower that starts late, from an offset it was given, reads on from there and ends at once.
    const late = await drain(followRun(handle, { fromEvent: items.length - 2 }));
    expect(late.items.map(indexOf)).toEqual([items.length - 2, items.length - 1]);
    expect(late.end).toEqual({ reason: 'run-closed', status: 'COMPLETED' });
  });

  it('describes the run only before a read that follows one which found nothing new', async () => {
    const { client, taskQueue } = bench.harness;
    const session = await MultiParticipantSession.create(client, { strategy: 'broadcast' }, { taskQueue });
    await session.addParticipant('Solo', model, 'panelist');
    await session.sendMessage('user', 'turn 1');
    const raw = client.workflow.getHandle(session.sessionId);
    const { handle, counts } = countingDescribes(raw);
    // Reading what is logged and ending asks nothing of the run's status.
    const oneRound = (await readRunLog(handle, 'session')).length;
    expect(counts.describe).toBe(0);
    // The first read is described; the second, after a read that brought events, is not.
    const log = followRun(handle, { kind: 'session', pollMs: 20 });
    for (let read = 0; read < oneRound; read += 1) expect((await log.next()).done).toBe(false);
    expect(counts.describe).toBe(1);
    await session.sendMessage('user', 'turn 2');
    const twoRounds = (await readRunLog(raw, 'session')).length;
    for (let read = oneRound; read < twoRounds; read += 1) expect((await log.next()).done).toBe(false);
    expect(counts.describe).toBe(1);
    // Closed: the reads after it find the rest, then nothing, and the read after that one is described.
    await session.close();
    const { items, end } = await drain(log);
    expect(end).toEqual({ reason: 'run-closed', status: 'COMPLETED' });
    expect(twoRounds + items.length).toBe((await readRunLog(raw, 'session')).length);
    expect(counts.describe).toBe(2);
  });

  it('follows a council to its last event; reads what is logged so far without following', async () => {
    const { client, taskQueue } = bench.harness;
    const councilId = await startCouncil(client, council('parallel', [expert('a'), expert('b')]), {
      taskQueue,
    });
    const handle = client.workflow.getHandle(councilId);
    const { items, end } = await drain(followRun(handle, { pollMs: 50 }));
    // It ends at the council's last event: reading on until its workflow was seen closed took a
    // poll and up to three reads more, each a replay of the closed run (~0.4 s of every `council run`).
    expect(end).toEqual({ reason: 'log-ended' });
    const last = items.at(-1)?.event;
    expect(last?.kind === 'status' && last.status).toBe('completed');
    expect(items.map(indexOf)).toEqual(items.map((_, i) => i));
    const done = items.flatMap((item) =>
      item.kind === 'council' && item.event.kind === 'expert' && item.event.state === 'done'
        ? [{ expertId: item.event.expertId, message: item.message }]
        : [],
    );
    expect(done.map((d) => d.expertId).sort()).toEqual(['a', 'b']);
    expect(done.every((item) => item.message !== undefined)).toBe(true);
    expect(await readRunLog(handle, 'council')).toEqual(items);
  });

  it('a closed run whose log no worker can read says so: the end names the failed read', async () => {
    const { client } = bench.harness;
    // Started on a task queue no worker polls, then terminated: its log cannot be read (no replay).
    const handle = await client.workflow.start('sessionWorkflow', {
      taskQueue: `nobody-polls-${crypto.randomUUID()}`,
      workflowId: `unreadable-${crypto.randomUUID()}`,
      args: [],
    });
    await handle.terminate('closed before any worker saw it');
    const { items, end } = await drain(followRun(handle, { kind: 'session', follow: false }));
    expect(items).toEqual([]);
    expect(end).toMatchObject({ reason: 'run-closed', status: 'TERMINATED' });
    expect(end).toHaveProperty('readFailed', expect.stringMatching(/\S/));
    const error: unknown = await readRunLog(handle, 'session').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CouncilUserError);
    expect((error as Error).message).toContain(`the progress log of closed session "${handle.workflowId}"`);
  });

  it('a council that failed before it kept a log (bad input) ends run-closed with nothing read, and no failed read', async () => {
    const { client, taskQueue } = bench.harness;
    const handle = await client.workflow.start('councilWorkflow', {
      taskQueue,
      workflowId: `bad-input-${crypto.randomUUID()}`,
      args: [{ task: 'no experts' }],
    });
    await expect(handle.result()).rejects.toThrow();
    const { items, end } = await drain(followRun(handle, { kind: 'council', follow: false }));
    expect(items).toEqual([]);
    expect(end).toStrictEqual({ reason: 'run-closed', status: 'FAILED' });
  });

  it("a closed council's page says its log could not be read, instead of showing no turns", async () => {
    const { client, taskQueue } = bench.harness;
    const councilId = await startCouncil(client, council('parallel', [expert('a'), expert('b')]), {
      taskQueue,
    });
    const found = await findRun(client, councilId);
    await found.handle.result();
    // The run's own handle, except that its log read fails as it does once no worker can replay it.
    const handle: WorkflowHandle = Object.assign(Object.create(found.handle) as WorkflowHandle, {
      query: (query: unknown, ...args: unknown[]) =>
        query === councilProgressQuery
          ? Promise.reject(new Error('Failed to query Workflow'))
          : (found.handle.query as (...all: unknown[]) => Promise<unknown>)(query, ...args),
    });
    const body = await councilBody({ ...found, handle, description: await found.handle.describe() }, []);
    expect(body.entries.filter((e) => e.role === 'note')).toEqual([
      expect.objectContaining({ from: 'Progress log', status: 'unreadable' }),
    ]);
    expect(body.entries.find((e) => e.role === 'note')?.content).toContain(
      `could not read the progress log of closed council "${councilId}": Failed to query Workflow`,
    );
  });

  it('an id that names no run is a user error saying so', async () => {
    const handle = bench.harness.client.workflow.getHandle(`no-such-run-${crypto.randomUUID()}`);
    const error: unknown = await drain(followRun(handle)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CouncilUserError);
    expect((error as Error).message).toContain('no session or council with id "no-such-run-');
  });

  it("a kind that is not the run's is a user error saying so, not the SDK's QueryNotRegisteredError", async () => {
    const { client, taskQueue } = bench.harness;
    const session = await MultiParticipantSession.create(client, { strategy: 'broadcast' }, { taskQueue });
    const handle = client.workflow.getHandle(session.sessionId);
    for (const follow of [false, true]) {
      const error: unknown = await drain(followRun(handle, { kind: 'council', follow })).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CouncilUserError);
      expect((error as CouncilUserError).toOneLine()).toBe(
        `"${session.sessionId}" is a session, not a council (leave kind out: followRun reads it from the run)`,
      );
    }
    await session.close();
  });
});
