import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LLMock } from '@copilotkit/aimock';
import { speakerOf } from '../helpers/mockLlm';
import { bundleCachePath } from '../../client/runtime/bundle';
import { freePort } from '../../client/runtime/freePort';
import { testEnvironment, uniqueTaskQueue } from '../helpers/testEnv';

const ROOT = path.resolve(__dirname, '../..');
/**
 * Read once, when the test file loads: .council/test-env.json is shared by every jest run in this
 * working tree, and a run started later by someone else rewrites it with its own server.
 */
export const TEST_ENV = testEnvironment();
const MAIN = path.join(ROOT, 'client/cli/main.ts');

/** What a finished CLI process printed, and how it exited. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * An environment for the CLI: no provider keys, no Temporal address or profile of the machine
 * running the tests, a data directory of its own whose bundle cache holds the run's bundle.
 */
export function cliEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(TEMPORAL_|OPENAI_|ANTHROPIC_|GEMINI_|COUNCIL_)/.test(key)) continue;
    env[key] = value;
  }
  env.COUNCIL_DATA_DIR = freshDataDir();
  env.NO_COLOR = '1';
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

/** A data directory with the jest run's workflow bundle already cached: bundling costs seconds of CPU. */
export function freshDataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'council-cli-'));
  const cached = bundleCachePath(dir);
  mkdirSync(path.dirname(cached), { recursive: true });
  copyFileSync(TEST_ENV.bundlePath, cached);
  return dir;
}

/** The env of a CLI run against the jest run's dev server, with a task queue no other test uses. */
export function clusterEnv(label: string, extra: Record<string, string | undefined> = {}) {
  return cliEnv({
    TEMPORAL_ADDRESS: TEST_ENV.address,
    COUNCIL_TASK_QUEUE: uniqueTaskQueue(label),
    ...extra,
  });
}

/** Provider keys and base URLs pointing the CLI's in-process worker at a mock. */
export function mockProviderEnv(mock: LLMock): Record<string, string> {
  return {
    OPENAI_API_KEY: 'test-openai-key',
    OPENAI_BASE_URL: `${mock.url}/v1`,
    ANTHROPIC_API_KEY: 'test-anthropic-key',
    ANTHROPIC_BASE_URL: mock.url,
  };
}

const started = new Set<ChildProcess>();

/** Starts the CLI (`node --import tsx client/cli/main.ts ...`), stdin closed, output collected. */
export function startCli(args: string[], env: Record<string, string>) {
  return track(
    spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/** Runs the CLI to its end with `input` on its stdin (what a `-` argument reads). */
export function runCliWithInput(
  args: string[],
  env: Record<string, string>,
  input: string,
): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const run = track(child);
  child.stdin.end(input);
  return run.done;
}

/** `council server` on free ports, once it serves (its Web UI line printed); killed if it never does. */
export async function startCouncilServer(env: Record<string, string>) {
  const ports = [String(await freePort()), String(await freePort())];
  const server = startCli(['server', '--port', ports[0] ?? '', '--ui-port', ports[1] ?? ''], env);
  try {
    await waitFor('the server', () => server.output.stdout.includes('Web UI'), { process: server });
  } catch (error) {
    server.child.kill('SIGKILL');
    throw error;
  }
  return server;
}

/** Starts a TypeScript entry of this project (e.g. workers/main.ts) like {@link startCli}. */
export function startEntry(entry: string, env: Record<string, string>) {
  return track(
    spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/**
 * Kills what a test started and did not stop (a failed assertion skips its clean-up): a `council
 * server` left running would outlive jest, which only force-exits its own workers.
 */
export async function stopStartedClis(): Promise<void> {
  const running = [...started].filter((child) => child.exitCode === null && child.signalCode === null);
  for (const child of running) child.kill('SIGKILL');
  await Promise.all(running.map(exited));
}

function track(child: ChildProcess & { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream }) {
  started.add(child);
  child.once('exit', () => started.delete(child));
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout: output.stdout, stderr: output.stderr })),
  );
  return { child, output, done };
}

/** Runs the CLI to its end. */
export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return startCli(args, env).done;
}

/**
 * Resolves when `predicate` holds, checking every 100 ms; fails after `timeoutMs`, or as soon as the
 * CLI process being watched exits, with what it printed.
 */
export async function waitFor(
  what: string,
  predicate: () => boolean,
  options: { timeoutMs?: number; process?: ReturnType<typeof startCli> } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (!predicate()) {
    const watched = options.process;
    if (watched && watched.child.exitCode !== null) {
      throw new Error(
        `the CLI exited (${watched.child.exitCode}) before ${what}:\n${JSON.stringify(watched.output)}`,
      );
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Asserts exit code 0; on failure the message shows everything the CLI printed. */
export function expectSuccess(result: CliResult): void {
  // toMatchObject would print only the code: the output is what says why.
  expect({
    code: result.code,
    output: result.code === 0 ? '' : `${result.stdout}\n${result.stderr}`,
  }).toEqual({
    code: 0,
    output: '',
  });
}

/** Resolves when the process has exited. */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Writes a config file into a fresh directory and returns its path. */
export function writeConfig(name: string, content: string | object): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'council-config-'));
  const file = path.join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

/** The id a run or session printed when it started. */
export function startedId(text: string): string | undefined {
  return /Started (?:session|council) (\S+)/.exec(text)?.[1];
}

/** Two openai panelists under broadcast, as a config object. */
export function panelConfig(overrides: Record<string, unknown> = {}) {
  return {
    strategy: 'broadcast',
    systemPrompt: 'You are participating in an AI panel discussion.',
    participants: ['Expert-1', 'Expert-2'].map((name) => ({
      name,
      role: 'panelist',
      model: { provider: 'openai', model: 'gpt-4o-mini' },
    })),
    ...overrides,
  };
}

/** A parallel council of two openai experts (Ada, Bob) and a synthesizer, as a config object. */
export function councilConfig(overrides: Record<string, unknown> = {}) {
  const model = { provider: 'openai', model: 'gpt-4o-mini' };
  return {
    kind: 'council',
    mode: 'parallel',
    task: 'Pick a database.',
    activeExperts: [
      { id: 'a', name: 'Ada', model },
      { id: 'b', name: 'Bob', model },
    ],
    synthesisConfig: { name: 'Synthesizer', model },
    ...overrides,
  };
}

/** Running `temporal server start-dev` processes (the binary, not its bash guard) on this data dir. */
export function serverProcesses(dataDir: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => /^\s*\d+ \S+\/temporal server start-dev/.test(line) && line.includes(dataDir));
}

/**
 * Every call is held at the mock until `open()`: a test can act (kill, stop) while the mock holds
 * a call, then let it go. `seen` lists the speakers of the calls received, in order.
 */
export function holdAnswers(mock: LLMock): { seen: string[]; open(): void } {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const seen: string[] = [];
  mock.on({ predicate: () => true }, async (request) => {
    const speaker = speakerOf({ body: request }) ?? 'unknown';
    seen.push(speaker);
    await gate;
    return {
      content: `${speaker}: answer ${seen.length}`,
      usage: { prompt_tokens: 10, completion_tokens: 5 },
    };
  });
  return { seen, open: () => open() };
}
