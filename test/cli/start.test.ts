import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleCachePath, bundledSources, cachedWorkflowBundle } from '../../client/runtime/bundle';
import { COMMANDS } from '../../client/cli/commands';
import { CONVERSATION_FLAGS } from '../../client/cli/councilConversation';
import { freePort } from '../../client/runtime/freePort';
import { inChild } from './child';
import { cliEnv, exited, expectSuccess, runCli, startCli, startEntry, stopStartedClis, waitFor } from './cli';
import { isAlive, isRunning, waitFor as waitUntil } from '../helpers/wait';

const ROOT = path.resolve(__dirname, '../..');

afterAll(stopStartedClis);

/** What a command leaves loaded: the modules under node_modules that `argv` required. */
function modulesLoadedBy(argv: string[]): string[] {
  // Exits once it has written the list: a run's server stops on its own, after this process.
  const loaded = inChild<string[]>(
    `require('./client/cli/main.ts').main(${JSON.stringify(['node', 'council', ...argv])}).then(() => ` +
      `process.stdout.write('\\n' + JSON.stringify(Object.keys(require.cache)) + '\\n', () => process.exit(0)))`,
  );
  return loaded.filter((file) => file.includes('node_modules'));
}

describe('a CLI that starts fast', () => {
  it('council run prints its id and a starting line before it reaches any server', async () => {
    // A cluster address nothing listens on: connecting fails only after the SDK's deadline.
    const env = cliEnv({ TEMPORAL_ADDRESS: '127.0.0.1:1' });
    const run = startCli(['run', '--id', 'start-early-1', 'Is this fast?'], env);
    try {
      await waitFor('the first line', () => run.output.stdout.includes('\n'), { process: run });
      expect(run.output.stdout.split('\n')[0]).toBe('Starting session start-early-1…');
      expect(run.output.stderr).toBe('');
    } finally {
      run.child.kill('SIGKILL');
      await exited(run.child);
    }
  }, 60_000);

  it("council run's first line waits for no provider SDK, tokenizer or Temporal worker module", () => {
    // The process exits the moment its first line is written, listing what it had loaded by then.
    const loaded = inChild<string[]>(
      `const write = process.stdout.write.bind(process.stdout);` +
        `process.stdout.write = (chunk, ...rest) => { if (String(chunk).startsWith('Starting')) {` +
        ` write('\\n' + JSON.stringify(Object.keys(require.cache)) + '\\n'); process.exit(0); }` +
        ` return write(chunk, ...rest); };` +
        `require('./client/cli/main.ts').main(['node', 'council', 'run', '--id', 'first-line-1', 'Fast?']);`,
    );
    expect(loaded.some((file) => file.endsWith('client/cli/run.ts'))).toBe(true);
    const heavy =
      /node_modules\/(openai|@anthropic-ai|@google\/genai|gpt-tokenizer|@temporalio\/(activity|worker|client))\//;
    expect(loaded.filter((file) => heavy.test(file))).toEqual([]);
  }, 60_000);

  it('council run --simulate loads the SDK its participants call and no other, nor the tokenizer', () => {
    // The default participants are OpenAI's; a short prompt fits its token budget uncounted.
    const loaded = modulesLoadedBy(['run', '--simulate', 'Which SDKs load?']);
    const sdkOf = (name: string) => loaded.filter((file) => file.includes(`node_modules/${name}/`));
    expect(sdkOf('openai').length).toBeGreaterThan(0);
    expect(sdkOf('@copilotkit/aimock').length).toBeGreaterThan(0);
    for (const idle of ['@anthropic-ai/sdk', '@google/genai', 'gpt-tokenizer'])
      expect(sdkOf(idle)).toEqual([]);
  }, 90_000);

  it("council run's own worker runs the session's workflow code on its main thread: no worker thread", () => {
    // Counts the worker threads the SDK starts: its workflow thread would be one.
    const { code, threads } = inChild<{ code: number; threads: string[] }>(
      `const threads = []; const wt = require('node:worker_threads'); const Thread = wt.Worker;` +
        `wt.Worker = class extends Thread { constructor(file, ...rest) { threads.push(String(file)); super(file, ...rest); } };` +
        `require('./client/cli/main.ts').main(['node', 'council', 'run', '--simulate', 'Which thread?']).then((code) =>` +
        ` process.stdout.write('\\n' + JSON.stringify({ code, threads }) + '\\n', () => process.exit(0)))`,
    );
    expect(code).toBe(0);
    // tsx's esbuild, which compiles this test's TypeScript, has a thread of its own.
    expect(threads.filter((file) => file.includes('@temporalio'))).toEqual([]);
  }, 90_000);

  it('council run --simulate beside `council server --worker` leaves its calls to that worker', async () => {
    const env = cliEnv();
    const ports = [String(await freePort()), String(await freePort())];
    const server = startCli(
      ['server', '--worker', '--port', ports[0] ?? '', '--ui-port', ports[1] ?? ''],
      env,
    );
    try {
      const polling = () => server.output.stdout.includes('simulated worker polling');
      await waitFor('the simulated worker', polling, { process: server });
      // The run lists what it loaded once it is done: no worker SDK, mock or provider SDK of its own.
      const script = path.join(mkdtempSync(path.join(os.tmpdir(), 'council-start-')), 'run.cjs');
      writeFileSync(
        script,
        `require(${JSON.stringify(path.join(ROOT, 'client/cli/main.ts'))})` +
          `.main(['node', 'council', 'run', '--simulate', 'Who serves this?']).then((code) => process.stdout` +
          `.write('\\n' + JSON.stringify({ code, loaded: Object.keys(require.cache) }) + '\\n', () => process.exit(0)));`,
      );
      const run = await startEntry(script, env).done;
      const { code, loaded } = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as {
        code: number;
        loaded: string[];
      };
      expect(code).toBe(0);
      expect(run.stdout).toContain('(simulated) ');
      // Both answers name the server's worker (pid@host) in the usage table.
      expect(run.stdout.split(`${server.child.pid}@`)).toHaveLength(3);
      const own = /node_modules\/(@temporalio\/worker|@copilotkit\/aimock|openai)\//;
      expect(loaded.filter((file) => own.test(file))).toEqual([]);
      // Nor what this run did not need: a YAML parser without a config file, the live display
      // without a terminal.
      expect(loaded.filter((file) => /node_modules\/(yaml|log-update)\//.test(file))).toEqual([]);
    } finally {
      server.child.kill('SIGINT');
      await server.done;
    }
  }, 180_000);

  it('council run exits without waiting for its server to stop; the next run waits for it; no orphan', async () => {
    const env = cliEnv();
    const dataDir = env.COUNCIL_DATA_DIR ?? '';
    expectSuccess(await runCli(['run', '--simulate', 'First?'], env));
    // The server's guard, left to wait for its graceful stop, is named for the next start to wait on.
    const stopping = path.join(dataDir, 'server-stopping.json');
    const { guardPid } = JSON.parse(readFileSync(stopping, 'utf8')) as { guardPid: number };

    const second = await runCli(['run', '--simulate', 'Second?'], env);
    expectSuccess(second);
    expect(second.stdout).toContain('(simulated) ');
    // The second run waited for the first server before starting its own on the same SQLite file.
    expect(isRunning(guardPid)).toBe(false);
    // And its own server stops too: nothing holding this data directory outlives the runs.
    const { guardPid: secondGuard } = JSON.parse(readFileSync(stopping, 'utf8')) as { guardPid: number };
    await waitUntil('the second server to stop', () => !isAlive(secondGuard), 20_000);
    const holders = spawnSync('pgrep', ['-f', path.join(dataDir, 'temporal.sqlite')], { encoding: 'utf8' });
    expect(holders.stdout.trim()).toBe('');
  }, 120_000);

  it("the embedded server's blob store (a directory) loads no AWS SDK; an S3 store does", () => {
    const loadedFor = (env: Record<string, string>) =>
      inChild<string[]>(
        `const { blobStoreFromEnv } = require('./storage');` +
          `blobStoreFromEnv(${JSON.stringify(env)}, { dataDir: require('node:os').tmpdir() });` +
          `process.stdout.write('\\n' + JSON.stringify(Object.keys(require.cache)))`,
      ).filter((file) => /node_modules\/(@aws-sdk\/client-s3|@temporalio\/external-storage-s3)\//.test(file));
    expect(loadedFor({})).toEqual([]);
    expect(
      loadedFor({ COUNCIL_BLOB_STORE: 's3', COUNCIL_S3_BUCKET: 'council-blobs' }).length,
    ).toBeGreaterThan(0);
  }, 60_000);

  it('--help loads no command, and lists every command of the table', async () => {
    const loaded = modulesLoadedBy(['--help']);
    expect(loaded.filter((file) => /@temporalio|openai|@anthropic-ai|zod/.test(file))).toEqual([]);
    const help = await runCli(['--help'], cliEnv());
    for (const entry of COMMANDS) expect(help.stdout).toContain(entry.term);
  }, 60_000);

  it('a command loads only its own module: `config schema` needs no Temporal worker', () => {
    const loaded = modulesLoadedBy(['config', 'schema']);
    expect(loaded.some((file) => file.includes('zod'))).toBe(true);
    expect(loaded.filter((file) => file.includes('@temporalio/worker'))).toEqual([]);
  }, 60_000);

  it("the table's help lines are the commands' own", () => {
    const listed = inChild<unknown[]>(
      `const { Help } = require('commander'); const { COMMANDS } = require('./client/cli/commands.ts');` +
        `Promise.all(COMMANDS.map((e) => e.load())).then((commands) => process.stdout.write('\\n' +` +
        ` JSON.stringify(commands.map((c) => [c.name(), new Help().subcommandTerm(c), c.description()]))))`,
    );
    expect(listed).toEqual(COMMANDS.map((entry) => [entry.name, entry.term, entry.description]));
    expect(COMMANDS.find((entry) => entry.name === 'show')?.description).toContain(CONVERSATION_FLAGS);
  }, 60_000);

  it('loads the prebuilt workflow bundle of the current code, and never a stale one', async () => {
    const prebuilt = mkdtempSync(path.join(os.tmpdir(), 'council-prebuilt-'));
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'council-cli-'));
    const name = path.basename(bundleCachePath(dataDir));
    writeFileSync(path.join(prebuilt, name), '// prebuilt');
    expect(await cachedWorkflowBundle(dataDir, {}, prebuilt)).toEqual({ code: '// prebuilt' });
    // Nothing was bundled, so nothing was cached.
    expect(existsSync(bundleCachePath(dataDir))).toBe(false);

    // A bundle of other workflow code (another hash) is passed over for the data directory's cache.
    const stale = mkdtempSync(path.join(os.tmpdir(), 'council-prebuilt-'));
    writeFileSync(path.join(stale, 'workflows-0000000000000000.js'), '// stale');
    mkdirSync(path.dirname(bundleCachePath(dataDir)), { recursive: true });
    writeFileSync(bundleCachePath(dataDir), '// cached');
    expect(await cachedWorkflowBundle(dataDir, {}, stale)).toEqual({ code: '// cached' });
  }, 60_000);

  it("names a bundle by every file it can hold: the price table's rows are bundled data", () => {
    const hashed = bundledSources();
    expect(hashed).toContain(path.resolve('common/priceTable.json'));
    expect(hashed).toContain(path.resolve('workflows/index.ts'));
  });
});
