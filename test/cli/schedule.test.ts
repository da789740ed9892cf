import os from 'node:os';
import path from 'node:path';
import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { answerAsParticipants, mockClients, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { newScheduledRun } from '../helpers/scheduledRuns';
import {
  cliEnv,
  clusterEnv,
  councilConfig,
  runCli,
  startCli,
  stopStartedClis,
  waitFor,
  writeConfig,
} from './cli';

// Every case spawns the CLI (and often a worker): minutes on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

describe('council schedule', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;
  let env: Record<string, string>;
  const id = `cli-schedule-${process.pid}`;

  beforeAll(async () => {
    mock = await startMockLlm();
    answerAsParticipants(mock);
    // The worker that serves scheduled runs, as `council worker` would on a cluster.
    harness = await startHarness('schedule', createLlmActivities(mockClients(mock)));
    env = clusterEnv('schedule', { COUNCIL_TASK_QUEUE: harness.taskQueue });
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });

  // It said only to keep `council server --worker` running, whether or not one was.
  it('says so when, on the embedded server, no worker polls the queue its runs go to', async () => {
    const create = await runCli(
      ['schedule', 'create', 'lonely', '-c', 'examples/council-parallel.yaml', '--every', '1h', '--simulate'],
      cliEnv(),
    );
    expect(create.code).toBe(0);
    expect(create.stdout).toContain(
      'keep `council server --worker` running. No worker polls task queue council-simulated now: its runs wait until one does.',
    );
  });

  it('create, list, describe, trigger (its run is found with session list/show), pause, unpause, delete', async () => {
    const create = await runCli(
      [
        'schedule',
        'create',
        id,
        '-c',
        'examples/council-parallel.yaml',
        '--every',
        '1h',
        '--overlap',
        'buffer_one',
      ],
      env,
    );
    expect(create.stderr).toBe('');
    expect(create.stdout).toContain(`Created schedule ${id}: every 1h, task queue ${harness.taskQueue}`);

    const list = await runCli(['schedule', 'list', '--json'], env);
    expect((JSON.parse(list.stdout) as { items: unknown[] }).items).toContainEqual(
      expect.objectContaining({ id, state: 'active' }),
    );

    // Whole results in assertions: a failure then shows stderr too.
    const trigger = await runCli(['schedule', 'trigger', id], env);
    expect(trigger).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(`^Triggered schedule ${id}: run ${id}-`),
    });

    let runId = '';
    // Polled through the CLI itself: the run is found the way a person would find it.
    for (let attempt = 0; attempt < 60 && runId === ''; attempt += 1) {
      const found = await runCli(
        ['session', 'list', '--kind', 'council', '--status', 'completed', '--json', '--limit', '200'],
        env,
      );
      runId =
        (JSON.parse(found.stdout) as { items: Array<{ id: string }> }).items.find((row) =>
          row.id.startsWith(`${id}-`),
        )?.id ?? '';
    }
    expect(runId).not.toBe('');
    expect(trigger.stdout).toBe(
      `Triggered schedule ${id}: run ${runId} (follow it: council attach ${runId})\n`,
    );

    const describe = await runCli(['schedule', 'describe', id, '--json'], env);
    expect(JSON.parse(describe.stdout)).toMatchObject({
      id,
      spec: 'every 1h',
      // As a path from anywhere: describe may run in another directory than create did.
      config: path.resolve('examples/council-parallel.yaml'),
      state: 'active',
      overlap: 'buffer_one',
    });
    // An hour boundary passed during the test starts a run of its own (every 1h counts from the epoch),
    // so the triggered run is one of the recent runs, not necessarily the only one.
    expect((JSON.parse(describe.stdout) as { recentRuns: string[] }).recentRuns).toContain(runId);

    const show = await runCli(['session', 'show', runId], env);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`Council ${runId}: parallel, completed`);
    expect(show.stdout).toMatch(/Reliability Engineer \(expert\)\nReliability Engineer: answer/);
    expect(show.stdout).toMatch(/Synthesizer \(synthesizer\)\nSynthesizer: answer/);

    expect((await runCli(['schedule', 'pause', id, '--note', 'holiday'], env)).stdout).toContain(
      `Paused schedule ${id}`,
    );
    const paused = JSON.parse((await runCli(['schedule', 'describe', id, '--json'], env)).stdout) as Record<
      string,
      unknown
    >;
    expect(paused).toMatchObject({ state: 'paused', note: 'holiday', nextRunsAt: [] });
    const listedPaused = JSON.parse((await runCli(['schedule', 'list', '--json'], env)).stdout) as {
      items: Array<{ id: string; nextRunAt: string | null }>;
    };
    expect(listedPaused.items.find((item) => item.id === id)).toMatchObject({ nextRunAt: null });
    expect((await runCli(['schedule', 'unpause', id], env)).stdout).toContain(`Unpaused schedule ${id}`);
    // Without --note, the note stays: the SDK's default would put "Unpaused via TypeScript SDK" there.
    const unpaused = JSON.parse((await runCli(['schedule', 'describe', id, '--json'], env)).stdout) as Record<
      string,
      unknown
    >;
    expect(unpaused).toMatchObject({ state: 'active', note: 'holiday' });
    expect((unpaused.nextRunsAt as string[]).length).toBeGreaterThan(0);
    expect((await runCli(['schedule', 'delete', id], env)).stdout).toContain(`Deleted schedule ${id}`);

    const gone = await runCli(['schedule', 'describe', id], env);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe(`council: no schedule with id "${id}" (see \`council schedule list\`)\n`);
  });

  it('pauses and unpauses a schedule that has no note (Temporal takes an empty note for "no change")', async () => {
    const bare = `${id}-bare`;
    const describe = async () =>
      JSON.parse((await runCli(['schedule', 'describe', bare, '--json'], env)).stdout) as Record<
        string,
        unknown
      >;
    const create = await runCli(
      ['schedule', 'create', bare, '-c', 'examples/council-parallel.yaml', '--every', '1h'],
      env,
    );
    expect(create.code).toBe(0);
    expect(await describe()).toMatchObject({ state: 'active', note: '' });
    expect((await runCli(['schedule', 'pause', bare], env)).stdout).toContain(`Paused schedule ${bare}`);
    expect(await describe()).toMatchObject({ state: 'paused', note: 'paused with `council schedule pause`' });
    // A second pause said "Paused schedule" again, as if it had done something.
    expect((await runCli(['schedule', 'pause', bare], env)).stdout).toBe(
      `Schedule ${bare} is paused already: nothing changed\n`,
    );
    expect((await runCli(['schedule', 'unpause', bare, '--note', ''], env)).stdout).toContain(
      `Unpaused schedule ${bare}`,
    );
    expect(await describe()).toMatchObject({
      state: 'active',
      note: 'unpaused with `council schedule unpause`',
    });
    expect((await runCli(['schedule', 'unpause', bare], env)).stdout).toBe(
      `Schedule ${bare} is active already: nothing changed\n`,
    );
    expect((await runCli(['schedule', 'delete', bare], env)).code).toBe(0);
  });

  it('refuses a council whose task is too long to send whole in every turn, before creating anything', async () => {
    const config = writeConfig(
      'long-debate.json',
      councilConfig({
        mode: 'adversarial',
        debateRounds: 20,
        // Four experts take 160 turns: each turn's share of the run's prompts is ~105 KB.
        activeExperts: ['a', 'b', 'c', 'd'].map((e) => ({
          id: e,
          name: e.toUpperCase(),
          model: { provider: 'openai', model: 'gpt-4o-mini' },
        })),
        task: `Review this. ${'finding '.repeat(24_000)}end.`,
      }),
    );
    const refused = await runCli(['schedule', 'create', `${id}-long`, '-c', config, '--every', '1h'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^council: council too large for one run's history: the task \(\d+ bytes\)/,
    );
    const list = await runCli(['schedule', 'list', '--json'], env);
    expect(list.stdout).not.toContain(`${id}-long`);
  });

  // `run` refused such a task, `schedule create` took it: every run of the schedule then failed. And
  // `-` was scheduled as the task itself, where `run` and `send` read stdin.
  it('refuses a task no run would take, and reads `-` from stdin', async () => {
    const spaced = `q${'\u0001'.repeat(45_000)}q`;
    const config = 'examples/round-robin.yaml';
    const refused = await runCli(
      ['schedule', 'create', `${id}-bad`, spaced, '-c', config, '--every', '1h'],
      env,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'council: invalid question: the message is longer than 262144 bytes as JSON',
    );
    const empty = await runCli(
      ['schedule', 'create', `${id}-stdin`, '-', '-c', config, '--every', '1h'],
      env,
    );
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('the task on stdin is empty');
    const list = await runCli(['schedule', 'list', '--json'], env);
    expect(list.stdout).not.toContain(`${id}-bad`);
    expect(list.stdout).not.toContain(`${id}-stdin`);
  });

  // A cron that names no date to come ("Feb 31") made a schedule that never runs, without a word.
  it('warns of a schedule that has no time to run', async () => {
    const never = `${id}-never`;
    const created = await runCli(
      ['schedule', 'create', never, 'Never?', '-c', 'examples/round-robin.yaml', '--cron', '0 9 31 2 *'],
      env,
    );
    expect(created.code).toBe(0);
    expect(created.stderr).toBe(
      `council: warning: schedule ${never} has no time to run (cron "0 9 31 2 *" names none to come): it runs only when triggered\n`,
    );
    expect((await runCli(['schedule', 'delete', never], env)).code).toBe(0);
  });

  it('trigger names its run, describe lists it still going (allow_all, which Temporal does not track), and a trigger under skip beside a tracked run says it was skipped', async () => {
    const heldId = `${id}-held`;
    // No worker polls this queue: the run stays running until the test ends it.
    const heldEnv = { ...env, COUNCIL_TASK_QUEUE: `${harness.taskQueue}-unserved` };
    const create = await runCli(
      ['schedule', 'create', heldId, '-c', 'examples/council-parallel.yaml', '--every', '7d'],
      heldEnv,
    );
    expect(create).toMatchObject({ code: 0, stderr: '' });
    try {
      const trigger = await runCli(['schedule', 'trigger', heldId], heldEnv);
      // The trigger names the run it started, as the schedule reports it.
      const named = /: run (\S+) \(follow it: council attach \1\)\n$/.exec(trigger.stdout)?.[1];
      expect(trigger).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(`^Triggered schedule ${heldId}: run `),
      });
      let running: string[] = [];
      for (let attempt = 0; attempt < 30 && running.length === 0; attempt += 1) {
        const described = await runCli(['schedule', 'describe', heldId, '--json'], heldEnv);
        running = (JSON.parse(described.stdout) as { running: string[] }).running;
      }
      expect(running).toEqual([named]);
      expect(named).toMatch(new RegExp(`^${heldId}-`));
      // Under skip, a trigger starts a run only while none started under skip goes on, and says so.
      const tracked = await runCli(['schedule', 'trigger', heldId, '--overlap', 'skip'], heldEnv);
      expect(tracked).toMatchObject({
        code: 0,
        stderr: '',
        stdout: expect.stringMatching(`^Triggered schedule ${heldId}: run ${heldId}`),
      });
      const skipped = await runCli(['schedule', 'trigger', heldId, '--overlap', 'skip'], heldEnv);
      expect(skipped).toMatchObject({
        code: 0,
        stdout: `Triggered schedule ${heldId}: skipped, a run of it is still going (without --overlap, the trigger starts one beside it)\n`,
      });
      const { running: all } = JSON.parse(
        (await runCli(['schedule', 'describe', heldId, '--json'], heldEnv)).stdout,
      ) as { running: string[] };
      expect(all).toHaveLength(2);
    } finally {
      for await (const run of harness.client.workflow.list({
        query: `TemporalScheduledById = '${heldId}' AND ExecutionStatus = 'Running'`,
      })) {
        await harness.client.workflow.getHandle(run.workflowId, run.runId).terminate('the test is over');
      }
      expect((await runCli(['schedule', 'delete', heldId], heldEnv)).code).toBe(0);
    }
  });

  it('schedules a session config: each run plays one round with the task and closes', async () => {
    const sessionId = `${id}-session`;
    const create = await runCli(
      [
        'schedule',
        'create',
        sessionId,
        'Weekly: what changed?',
        '-c',
        'examples/round-robin.yaml',
        '--every',
        '7d',
      ],
      env,
    );
    expect(create).toMatchObject({ code: 0, stderr: '' });
    expect((await runCli(['schedule', 'trigger', sessionId], env)).code).toBe(0);
    let row: { id: string; question: string | null } | undefined;
    for (let attempt = 0; attempt < 60 && !row; attempt += 1) {
      const found = await runCli(
        ['session', 'list', '--kind', 'session', '--status', 'closed', '--json', '--limit', '200'],
        env,
      );
      row = (
        JSON.parse(found.stdout) as { items: Array<{ id: string; question: string | null }> }
      ).items.find((item) => item.id.startsWith(`${sessionId}-`));
    }
    // A scheduled run's list row shows the task it asks.
    expect(row?.question).toBe('Weekly: what changed?');
    const runId = row?.id ?? '';
    const show = await runCli(['session', 'show', runId], env);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('Weekly: what changed?');
    expect(show.stdout).toMatch(/Analyst-1: answer/);
    expect((await runCli(['schedule', 'delete', sessionId], env)).code).toBe(0);
  });

  // A scheduled run plays its task once its start check passes: an attach before that found no
  // round begun or asked for, said "No round has been played yet: send one" and exited 0.
  it('attach to a scheduled session run before its round begins follows that round to its answers', async () => {
    const queue = `${harness.taskQueue}-attach`;
    const queueEnv = { ...env, COUNCIL_TASK_QUEUE: queue };
    // The run's workflow is served, its start check (an activity) not yet: its round cannot begin.
    const workflows = await startHarness('schedule-attach', createLlmActivities(mockClients(mock)), {
      taskQueue: queue,
      serves: 'workflows',
    });
    let calls: TemporalTestHarness | undefined;
    const attachId = `${id}-attach`;
    try {
      const create = await runCli(
        [
          'schedule',
          'create',
          attachId,
          'Weekly: attach?',
          '-c',
          'examples/round-robin.yaml',
          '--every',
          '7d',
        ],
        queueEnv,
      );
      expect(create).toMatchObject({ code: 0, stderr: '' });
      expect((await runCli(['schedule', 'trigger', attachId], queueEnv)).code).toBe(0);
      const runId = await newScheduledRun(harness.client, attachId);
      const attach = startCli(['attach', runId], queueEnv);
      await waitFor('attach to find the run', () => attach.output.stdout.includes('Attached to session'), {
        process: attach,
      });
      calls = await startHarness('schedule-attach', createLlmActivities(mockClients(mock)), {
        taskQueue: queue,
        serves: 'calls',
      });
      const attached = await attach.done;
      expect(attached.stdout).not.toContain('No round has been played yet');
      expect(attached.stdout).toMatch(/Analyst-1: answer/);
      expect(attached.code).toBe(0);
    } finally {
      await calls?.close();
      await workflows.close();
      await runCli(['schedule', 'delete', attachId], queueEnv);
    }
  });

  // With a blob store, a schedule's payloads past its threshold went to the store as references,
  // which Temporal's own scheduler cannot read: it failed every task, and no run ever started.
  it('keeps a schedule whole in the server with a blob store: its runs start and read their task', async () => {
    const bigId = `${id}-big`;
    const blobEnv = {
      ...env,
      COUNCIL_BLOB_STORE: 'dir',
      COUNCIL_BLOB_DIR: path.join(os.tmpdir(), `council-schedule-blobs-${process.pid}`),
      COUNCIL_BLOB_THRESHOLD_BYTES: '1024',
    };
    const task = `Weekly: ${'what changed? '.repeat(300)}end.`;
    const create = await runCli(
      ['schedule', 'create', bigId, task, '-c', 'examples/round-robin.yaml', '--every', '7d'],
      blobEnv,
    );
    expect(create).toMatchObject({ code: 0, stderr: '' });
    expect((await runCli(['schedule', 'trigger', bigId], blobEnv)).code).toBe(0);
    const runId = await newScheduledRun(harness.client, bigId);
    await harness.client.workflow.getHandle(runId).result();
    const show = await runCli(['session', 'show', runId], blobEnv);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('what changed? what changed?');
    expect(show.stdout).toMatch(/Analyst-1: answer/);
    expect((await runCli(['schedule', 'delete', bigId], blobEnv)).code).toBe(0);
  });
});
