import type { LLMock } from '@copilotkit/aimock';
import { Client, Connection } from '@temporalio/client';
import { answerAsParticipants, chatRequests, startMockLlm } from '../helpers/mockLlm';
import { waitFor } from '../helpers/wait';
import {
  clusterEnv,
  councilConfig,
  mockProviderEnv,
  panelConfig,
  runCli,
  stopStartedClis,
  TEST_ENV,
  writeConfig,
} from './cli';

// Every case spawns the CLI: minutes on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

describe('runs and sessions that have ended', () => {
  let mock: LLMock;
  let client: Client;

  beforeAll(async () => {
    mock = await startMockLlm();
    answerAsParticipants(mock);
    client = new Client({ connection: await Connection.connect({ address: TEST_ENV.address }) });
  });
  afterAll(async () => {
    await client?.connection.close();
    await mock?.stop();
  });

  it('`run --id` of an id already used is refused in one line; it never prints the old answers', async () => {
    const config = writeConfig('panel.json', panelConfig());
    const env = clusterEnv('endings-rerun', mockProviderEnv(mock));
    const id = `endings-rerun-${process.pid}`;
    const first = await runCli(['run', 'First question?', '-c', config, '--worker', '--id', id], env);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    mock.clearRequests();

    const second = await runCli(['run', 'Second question?', '-c', config, '--worker', '--id', id], env);
    expect(second).toMatchObject({
      code: 1,
      stderr:
        `council: a session or council with id "${id}" already exists (closed) (pick another --id, ` +
        `or read it with \`council show ${id}\`)\n`,
    });
    expect(second.stdout).not.toMatch(/answer \d/);
    // Nothing started: nothing says it did (nor a `started` event, which a pipeline would believe).
    expect(second.stdout).not.toContain('Started');
    const council = writeConfig('council.json', councilConfig());
    const asCouncil = await runCli(['run', '-c', council, '--worker', '--id', id, '--events'], env);
    expect(asCouncil).toMatchObject({ code: 1, stderr: expect.stringContaining('already exists') as string });
    expect(asCouncil.stdout).not.toContain('started');
    expect(chatRequests(mock)).toHaveLength(0);
    // The first run is untouched: still its one round.
    const show = await runCli(['session', 'show', id, '--worker'], env);
    expect(show.stdout).toContain('First question?');
    expect(show.stdout).not.toContain('Second question?');
  });

  it('`session send` to a closed session is one line and exit 1', async () => {
    const config = writeConfig('panel.json', panelConfig());
    const env = clusterEnv('endings-send', mockProviderEnv(mock));
    const id = `endings-send-${process.pid}`;
    expect(await runCli(['run', 'Hello?', '-c', config, '--worker', '--id', id], env)).toMatchObject({
      code: 0,
    });
    const send = await runCli(['session', 'send', id, 'Still there?', '--worker'], env);
    expect(send).toMatchObject({
      code: 1,
      stderr: `council: session "${id}" is closed (completed) (start a new session)\n`,
    });
  });

  it.each([
    ['session', 'examples/round-robin.yaml', 'running'],
    ['council', 'examples/council-parallel.yaml', 'running'],
  ])(
    'a scheduled %s run is listed from the moment it starts, with no worker serving it',
    async (kind, file, status) => {
      // A task queue nobody polls: the run starts and waits, and no workflow code runs.
      const env = clusterEnv(`endings-schedule-${kind}`);
      const scheduleId = `endings-schedule-${kind}-${process.pid}`;
      const create = await runCli(
        ['schedule', 'create', scheduleId, 'Weekly: what changed?', '-c', file, '--every', '7d', '--paused'],
        env,
      );
      expect(create).toMatchObject({ code: 0, stderr: '' });
      let runId = '';
      try {
        expect((await runCli(['schedule', 'trigger', scheduleId], env)).code).toBe(0);
        runId = await waitForRunId(client, scheduleId);
        let rows: Array<Record<string, string>> = [];
        // Visibility is eventually consistent: poll the listing as a person would.
        await waitFor(
          'the scheduled run in `session list`',
          async () => {
            const list = await runCli(['session', 'list', '--kind', kind, '--json', '--limit', '200'], env);
            rows = (JSON.parse(list.stdout) as { items: Array<Record<string, string>> }).items;
            return rows.some((row) => row.id === runId);
          },
          30_000,
          500,
        );
        expect(rows.find((row) => row.id === runId)).toMatchObject({
          kind,
          councilStatus: status,
          workflowStatus: 'running',
        });
      } finally {
        await runCli(['schedule', 'delete', scheduleId], env);
        // No worker will ever serve it: end it rather than leave it waiting on the shared server.
        if (runId) await client.workflow.getHandle(runId).terminate('test clean-up');
      }
    },
  );

  it('`list --status terminated` finds a run Temporal ended, shown so in the list', async () => {
    const env = clusterEnv('endings-terminated');
    const id = `endings-terminated-${process.pid}`;
    const config = writeConfig('panel-terminated.json', panelConfig());
    const start = await runCli(['session', 'start', '-c', config, '--id', id, '--worker'], env);
    expect(start).toMatchObject({ code: 0, stderr: '' });
    await client.workflow.getHandle(id).terminate('test: ended by Temporal');
    let rows: Array<Record<string, string>> = [];
    await waitFor(
      'the terminated run in `list --status terminated`',
      async () => {
        const list = await runCli(['list', '--status', 'terminated', '--json', '--limit', '200'], env);
        expect(list.stderr).toBe('');
        rows = (JSON.parse(list.stdout) as { items: Array<Record<string, string>> }).items;
        return rows.some((row) => row.id === id);
      },
      30_000,
      500,
    );
    expect(rows.find((row) => row.id === id)).toMatchObject({
      councilStatus: 'terminated',
      workflowStatus: 'terminated',
    });
    expect(rows.every((row) => row.workflowStatus === 'terminated')).toBe(true);
  });
});

/** The id of the run a schedule started, from the schedule's own record. */
async function waitForRunId(client: Client, scheduleId: string): Promise<string> {
  let runId = '';
  await waitFor('the schedule to start its run', async () => {
    const description = await client.schedule.getHandle(scheduleId).describe();
    runId = description.info.recentActions[0]?.action.workflow.workflowId ?? '';
    return runId !== '';
  });
  return runId;
}
