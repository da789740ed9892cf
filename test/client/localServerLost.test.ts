import { spawn } from 'node:child_process';
import path from 'node:path';
import { cliEnv, serverProcesses, startCouncilServer, stopStartedClis, waitFor } from '../cli/cli';

// An application whose Council.local() borrowed `council server`'s dev server, when that server goes
// away: a round in flight failed after ~20 s as "ServiceError: Workflow Update failed", a council
// waited as long, and the worker logged a warning for each retry of each poll and heartbeat meanwhile.
jest.setTimeout(180_000);

afterEach(stopStartedClis);

const ROOT = path.resolve(__dirname, '../..');
const APP = `
const { Council } = require('./client');
const report = (e) => ({ name: e.name, message: e.message, hint: e.hint });
(async () => {
  const council = await Council.local({ simulate: true, dataDir: process.argv[1] });
  const model = { provider: 'openai', model: 'gpt-4o-mini' };
  const session = await council.startSession({ strategy: 'broadcast' });
  await session.addParticipant('Ada', model, 'panelist');
  await session.sendMessage('user', 'First?');
  const experts = ['a', 'b', 'c'].map((id) => ({ id, name: 'Expert ' + id, model }));
  const context = {
    task: 'Pick a database.', mode: 'adversarial', debateStyle: 'turns', debateRounds: 20,
    activeExperts: experts, synthesisConfig: { model },
  };
  const councilRun = council.executeCouncilExperts(context).then(() => 'finished', report);
  // With onToken: its watcher's polls are calls no client interceptor sees.
  const onToken = () => undefined;
  const rounds = (async () => { for (;;) await session.sendMessage('user', 'More?', { onToken }); })().catch(report);
  console.log('ready');
  const [round, councilEnd] = await Promise.all([rounds, councilRun]);
  console.log(JSON.stringify({ round, council: councilEnd }));
  const later = await session.view().then(() => 'answered', report);
  console.log(JSON.stringify({ later }));
  await council.close();
  console.log('closed');
})();
`;

/** Runs `code` in a fresh Node process (tsx) with the data directory as its argument; its output collected. */
function startApp(code: string, dataDir: string, env: Record<string, string>) {
  const app = spawn(process.execPath, ['--import', 'tsx', '-e', code, dataDir], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  app.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  app.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => app.once('exit', resolve));
  return { app, output, exited };
}

describe('Council.local() on a borrowed server that stops', () => {
  it('fails the calls in flight and later ones at once, in one readable error, and logs it once', async () => {
    const env = cliEnv();
    const dataDir = env.COUNCIL_DATA_DIR ?? '';
    const server = await startCouncilServer(env);

    const { app, output, exited } = startApp(APP, dataDir, env);
    try {
      await waitFor('the application to start its round and council', () => output.stdout.includes('ready'), {
        timeoutMs: 120_000,
      });
      server.child.kill('SIGKILL');
      const killedAt = Date.now();
      await waitFor('the calls in flight to fail', () => output.stdout.includes('"round"'), {
        timeoutMs: 60_000,
      });
      // The SDK's own retries gave up after ~20 s; the watch looks every 250 ms.
      expect(Date.now() - killedAt).toBeLessThan(10_000);
      await waitFor('the application to exit', () => app.exitCode !== null, { timeoutMs: 60_000 });
    } finally {
      if (app.exitCode === null) app.kill('SIGKILL');
    }
    expect(await exited).toBe(0);
    expect(output.stdout).toMatch(/^closed$/m);

    const lines = output.stdout.split('\n').filter((line) => line.startsWith('{'));
    const { round, council } = JSON.parse(lines[0] ?? '{}') as Record<string, Record<string, string>>;
    const { later } = JSON.parse(lines[1] ?? '{}') as Record<string, Record<string, string>>;
    for (const error of [round, council, later]) {
      expect(error?.name).toBe('ServerGoneError');
      expect(error?.message).toMatch(/^the Temporal server at 127\.0\.0\.1:\d+ has stopped: process \d+/);
      expect(error?.hint).toBe(
        `what ran on it is kept in ${dataDir}: open Council.local() on it again to go on`,
      );
    }
    // Said once in the log, not once per retried poll, heartbeat and completion (63 lines before,
    // 20 with the worker stopped but the warnings kept). The core warns of a call from its fifth
    // retry, ~0.85 s after the server went; the watch looks every 250 ms, so a loaded machine may
    // let its pollers' first warnings through before the loss is known.
    expect(output.stderr.match(/has stopped/g)).toHaveLength(1);
    expect((output.stderr.match(/retried/g) ?? []).length).toBeLessThanOrEqual(8);
    await waitFor('the server to exit', () => serverProcesses(dataDir).length === 0, { timeoutMs: 20_000 });
  });

  // The second borrowed the first's server: the first's close stopped it under the second, whose
  // calls then failed with "process N, which ran it, closed it", N being their own process.
  it('a second Council.local() in the same process shares the server: it goes on after the first closes', async () => {
    const env = cliEnv();
    const dataDir = env.COUNCIL_DATA_DIR ?? '';
    const { app, output, exited } = startApp(SAME_PROCESS_APP, dataDir, env);
    try {
      await waitFor('the application to exit', () => app.exitCode !== null, { timeoutMs: 120_000 });
    } finally {
      if (app.exitCode === null) app.kill('SIGKILL');
    }
    expect(await exited).toBe(0);
    const result = JSON.parse(
      output.stdout.split('\n').find((line) => line.startsWith('{')) ?? '{}',
    ) as unknown;
    expect(result).toEqual({ afterFirstClosed: ['ok'] });
    expect(output.stderr).not.toMatch(/has stopped|shutdown_worker/);
    // The last close stopped the server: none is left running on the data directory.
    expect(serverProcesses(dataDir)).toEqual([]);
  });
});

// Two Councils on one data directory in one process, closed in the order they opened.
const SAME_PROCESS_APP = `
const { Council } = require('./client');
const report = (e) => ({ name: e.name, message: e.message });
(async () => {
  const first = await Council.local({ simulate: true, dataDir: process.argv[1] });
  const second = await Council.local({ simulate: true, dataDir: process.argv[1] });
  const session = await second.startSession({ strategy: 'broadcast' });
  await session.addParticipant('Ada', { provider: 'openai', model: 'gpt-4o-mini' }, 'panelist');
  await first.close();
  const afterFirstClosed = await session.sendMessage('user', 'Still there?').then((rs) => rs.map((r) => r.status), report);
  await second.close();
  console.log(JSON.stringify({ afterFirstClosed }));
})();
`;
