import os from 'node:os';
import { useParticipantMock } from '../helpers/mockLlm';
import {
  clusterEnv,
  expectSuccess,
  mockProviderEnv,
  panelConfig,
  runCli,
  startCli,
  stopStartedClis,
  waitFor,
  writeConfig,
  councilConfig,
} from './cli';

// Every case spawns the CLI (and a worker) several times: minutes on a busy 2-core machine.
jest.setTimeout(600_000);
afterAll(stopStartedClis);

/** The identity the SDK gives a worker by default: the one a CLI process with `--worker` runs. */
const identityOf = (pid: number | undefined) => `${pid}@${os.hostname()}`;

describe('one command tree: attach, send, show, list, cancel for sessions and councils', () => {
  const llm = useParticipantMock();

  async function listedIds(args: string[], env: Record<string, string>): Promise<string[]> {
    const list = await runCli([...args, '--json', '--limit', '200'], env);
    expectSuccess(list);
    return (JSON.parse(list.stdout) as { items: Array<{ id: string }> }).items.map((item) => item.id);
  }

  it('a session: the short spellings, the worker that served each call, and the `session` aliases', async () => {
    const env = clusterEnv('tree-session', mockProviderEnv(llm.mock));
    const config = writeConfig('panel.yaml', panelConfig());
    const id = `tree-session-${process.pid}`;
    expectSuccess(await runCli(['session', 'start', '-c', config, '--id', id, '--worker'], env));

    const send = startCli(['send', id, 'First question?', '--worker'], env);
    const sent = await send.done;
    expectSuccess(sent);
    const worker = identityOf(send.child.pid);
    expect(sent.stdout).toMatch(/Expert-1 \(panelist\)\nExpert-1: answer/);
    // The usage table says which worker made each call.
    expect(sent.stdout).toMatch(new RegExp(`│ Expert-1\\s+│.*│ ${worker} │`));

    const show = await runCli(['show', id, '--worker'], env);
    expectSuccess(show);
    expect(show.stdout).toContain(`Session ${id}: broadcast, running, 1 round(s)`);
    expect(show.stdout).toContain(`Expert-1 (panelist) · 15 tokens · worker ${worker}\nExpert-1: answer`);
    const json = await runCli(['show', id, '--worker', '--json'], env);
    expectSuccess(json);
    const transcript = (JSON.parse(json.stdout) as { transcript: Array<Record<string, unknown>> }).transcript;
    // A broadcast's transcript is in the order the answers came, which varies from run to run.
    const panelists = transcript.filter((entry) => entry.role === 'panelist');
    expect(panelists.sort((a, b) => String(a.from).localeCompare(String(b.from)))).toEqual([
      expect.objectContaining({ from: 'Expert-1', servedBy: worker }),
      expect.objectContaining({ from: 'Expert-2', servedBy: worker }),
    ]);

    expect(await listedIds(['list', '--kind', 'session'], env)).toContain(id);
    const attach = await runCli(['attach', id, '--worker'], env);
    expectSuccess(attach);
    expect(attach.stdout).toContain(`Attached to session ${id} (running)`);

    // The old spellings stay as aliases.
    const alias = await runCli(['session', 'show', id, '--worker'], env);
    expectSuccess(alias);
    expect(alias.stdout).toBe(show.stdout);
    expect(await listedIds(['session', 'list', '--kind', 'session'], env)).toContain(id);

    // A council's message option on a session is refused, not ignored.
    expect(await runCli(['send', id, 'Now?', '--urgent', '--worker'], env)).toMatchObject({
      code: 1,
      stderr: `council: --urgent is for councils, and ${id} is a session: its participants answer each message as it comes (send it without --urgent)\n`,
    });

    const cancel = await runCli(['cancel', id, '--worker'], env);
    expectSuccess(cancel);
    expect(cancel.stdout).toContain(`Cancelled session ${id}`);
  });

  it('a council: run prints the short hint; show, attach, list, send and cancel take its id', async () => {
    const env = clusterEnv('tree-council', mockProviderEnv(llm.mock));
    const config = writeConfig('council.json', councilConfig());
    const id = `tree-council-${process.pid}`;
    const run = await runCli(['run', '-c', config, '--id', id, '--worker'], env);
    expectSuccess(run);
    expect(run.stdout).toContain(`Reattach with: council attach ${id}\n`);
    expect(run.stdout).not.toContain('council session');

    const show = await runCli(['show', id, '--worker'], env);
    expectSuccess(show);
    expect(show.stdout).toContain(`Council ${id}: parallel, completed, 1 round(s)`);
    expect(show.stdout).toMatch(/│ Worker\s+│/);
    const attach = await runCli(['attach', id, '--worker'], env);
    expectSuccess(attach);
    expect(attach.stdout).toContain(`Attached to council ${id} (completed)`);
    expect(await listedIds(['list', '--kind', 'council'], env)).toContain(id);
    expect(await listedIds(['list', '--kind', 'session'], env)).not.toContain(id);

    // A closed council takes no message and cannot be cancelled: each says so in one line.
    expect(await runCli(['send', id, 'Too late?', '--worker'], env)).toMatchObject({
      code: 1,
      stderr: `council: council "${id}" is closed (completed) (start a new council)\n`,
    });
    expect(await runCli(['cancel', id, '--worker'], env)).toMatchObject({
      code: 1,
      stderr: `council: council "${id}" is closed (completed) (it has nothing to cancel: see \`council show ${id}\`)\n`,
    });
    const alias = await runCli(['session', 'attach', id, '--worker'], env);
    expectSuccess(alias);
    expect(alias.stdout).toContain(`Attached to council ${id} (completed)`);
  });

  it('a run whose call a worker without the key took names that worker and the fix', async () => {
    // A `council worker` with no provider key, like `council server --worker` started without one.
    const env = clusterEnv('tree-keyless');
    const worker = startCli(['worker'], env);
    await waitFor('the worker to poll', () => worker.output.stderr.includes('polling'), { process: worker });
    const config = writeConfig('panel.yaml', panelConfig());
    // The run has keys of its own, but no --worker: the keyless worker takes its calls.
    const run = await runCli(['run', 'Anyone?', '-c', config], { ...env, ...mockProviderEnv(llm.mock) });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `Expert-1 failed: ProviderKeyMissing: openai: OPENAI_API_KEY is not set on worker ` +
        `"${identityOf(worker.child.pid)}", which took this call; set it in that worker's environment ` +
        `and restart it, or serve the run from a worker that has it\n`,
    );
    worker.child.kill('SIGTERM');
    await worker.done;
  });
});
