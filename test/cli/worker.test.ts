import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LLMock } from '@copilotkit/aimock';
import { freePort } from '../../client/runtime/freePort';
import { startMockLlm } from '../helpers/mockLlm';
import {
  cliEnv,
  clusterEnv,
  expectSuccess,
  holdAnswers,
  panelConfig,
  runCli,
  startCli,
  startEntry,
  stopStartedClis,
  serverProcesses,
  waitFor,
  writeConfig,
} from './cli';

// Every case spawns the CLI (and often a worker): minutes on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

describe('council worker and workers/main.ts', () => {
  let mock: LLMock;
  let held: ReturnType<typeof holdAnswers>;

  beforeAll(async () => {
    mock = await startMockLlm();
    // Calls are held until the worker has been told to stop.
    held = holdAnswers(mock);
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('serves runs, names missing keys, and on SIGTERM lets in-flight calls finish', async () => {
    const env = clusterEnv('worker', {
      OPENAI_API_KEY: 'test-openai-key',
      OPENAI_BASE_URL: `${mock.url}/v1`,
      COUNCIL_MAX_CONCURRENT_CALLS: '7',
    });
    const queue = env.COUNCIL_TASK_QUEUE ?? '';
    const worker = startCli(['worker'], env);
    await waitFor('the worker to poll', () => worker.output.stderr.includes('polling'), { process: worker });
    expect(worker.output.stderr).toContain(
      'warning: ANTHROPIC_API_KEY is not set: participants with provider "anthropic" will fail',
    );
    expect(worker.output.stderr).toContain(`council worker polling task queue "${queue}" on`);
    expect(worker.output.stderr).toContain('up to 7 concurrent calls');

    // No --worker: the run relies on the worker above.
    const config = writeConfig('panel.yaml', panelConfig());
    const run = startCli(['run', 'Still there?', '-c', config, '--json'], env);
    await waitFor('both calls in flight', () => held.seen.length >= 2, { process: run });
    worker.child.kill('SIGTERM');
    await waitFor('the worker to begin its shutdown', () => worker.output.stderr.includes('SIGTERM'), {
      process: worker,
    });
    held.open();
    const stopped = await worker.done;
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toContain('SIGTERM: stopping; calls in flight have 30 s to finish');
    expect(stopped.stderr).toContain('council worker stopped');

    // The plain entry of docker-compose, configured by environment only, finishes the run.
    const plain = startEntry('workers/main.ts', env);
    const result = await run.done;
    expectSuccess(result);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'ok', simulated: false });
    // The calls that were in flight at SIGTERM finished within the grace time: none was made again.
    expect(held.seen).toHaveLength(2);
    plain.child.kill('SIGTERM');
    expect(await plain.done).toMatchObject({
      code: 0,
      stderr: expect.stringContaining('council worker stopped'),
    });
  });

  it('without a server to serve, says so, even for a data directory that does not exist', async () => {
    const dataDir = path.join(os.tmpdir(), `council-no-such-dir-${process.pid}-${Date.now()}`);
    const result = await runCli(['worker', '--data-dir', dataDir], cliEnv());
    expect(result).toMatchObject({
      code: 1,
      stderr:
        'council: no Temporal address: TEMPORAL_ADDRESS is not set and no `council server` is running ' +
        'for ' +
        dataDir +
        ' (set TEMPORAL_ADDRESS (or a profile), or start `council server` first)\n',
    });
    expect(existsSync(dataDir)).toBe(false);
  });

  it('rejects a bad concurrency setting, naming it', async () => {
    const result = await runCli(['worker', '--max-concurrent-calls', 'many'], clusterEnv('worker-bad'));
    expect(result.code).toBe(1);
    // The flag and the variable a person sets, and what they take: not the schema's key and "NaN".
    expect(result.stderr).toBe(
      'council: invalid worker settings: --max-concurrent-calls (COUNCIL_MAX_CONCURRENT_CALLS): ' +
        'must be a whole number, e.g. 200; got "many"\n',
    );
  });

  it("refuses the simulated runs' queue: it calls real providers, and would take simulated runs' calls", async () => {
    const result = await runCli(['worker', '--task-queue', 'council-simulated'], clusterEnv('worker-sim'));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'council: task queue "council-simulated" is for simulated runs, and this worker calls the real providers (pick another --task-queue; `council server --worker` serves simulated runs)\n',
    );
  });
});

describe('council server', () => {
  it('runs the embedded server with its UI; other commands use it; Ctrl-C stops it and nothing is left', async () => {
    const env = cliEnv();
    const [port, uiPort] = [await freePort(), await freePort()];
    const server = startCli(['server', '--port', String(port), '--ui-port', String(uiPort)], env);
    await waitFor('the server', () => server.output.stdout.includes('Web UI'), { process: server });
    expect(server.output.stdout).toContain(`Temporal dev server at 127.0.0.1:${port}`);
    expect(server.output.stdout).toContain(`Web UI: http://127.0.0.1:${uiPort}`);
    const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
    expect(ui.status).toBe(200);

    const list = await runCli(['session', 'list'], env);
    expectSuccess(list);
    expect(list.stdout).toContain('No sessions or councils match.');
    expect(serverProcesses(env.COUNCIL_DATA_DIR ?? '')).toHaveLength(1);

    server.child.kill('SIGINT');
    const stopped = await server.done;
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('server stopped');
    expect(serverProcesses(env.COUNCIL_DATA_DIR ?? '')).toEqual([]);
  });
});
