import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LLMock } from '@copilotkit/aimock';
import { speakerOf, startMockLlm } from '../helpers/mockLlm';
import {
  clusterEnv,
  expectSuccess,
  mockProviderEnv,
  panelConfig,
  runCli,
  stopStartedClis,
  writeConfig,
} from './cli';

// Every case spawns the CLI (and a worker): minutes on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

const MAIN = path.resolve(__dirname, '../../client/cli/main.ts');
const SENTENCE = 'The quick brown fox jumps over the lazy dog near the riverbank. ';
/** Far more than a pipe's 64 KiB buffer, so a reader that stops early really closes it under the writer. */
const LONG_ANSWER = SENTENCE.repeat(2_000);
const WORDS = new Set(SENTENCE.trim().split(/\s+/));

/** Runs a shell command line with `env`; resolves with its output and exit code. */
function shell(command: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('bash', ['-c', command], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const cli = (args: string) =>
  `${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(MAIN)} ${args}`;

describe('terminal manners', () => {
  let mock: LLMock;
  let env: Record<string, string>;
  const id = `cli-terminal-${process.pid}`;

  beforeAll(async () => {
    mock = await startMockLlm();
    mock.on({ predicate: () => true }, (request) => ({
      content: `${speakerOf({ body: request }) ?? 'unknown'} says: ${LONG_ANSWER}`,
      usage: { prompt_tokens: 10, completion_tokens: 5 },
    }));
    env = clusterEnv('terminal', mockProviderEnv(mock));
    const config = writeConfig('panel.yaml', panelConfig());
    expectSuccess(await runCli(['session', 'start', '-c', config, '--id', id, '--worker'], env));
    expectSuccess(await runCli(['session', 'send', id, 'Tell me a long story.', '--worker'], env));
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('`session show ID | head` ends quietly with exit code 0, no EPIPE stack trace', async () => {
    const result = await shell(`${cli(`session show ${id} --worker`)} | head -n 2; exit \${PIPESTATUS[0]}`, {
      ...env,
      PATH: process.env.PATH ?? '',
    });
    expect(result.stdout.split('\n')[0]).toContain(`Session ${id}`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  // A run's output closed under it stopped following it as Ctrl-C does, but exited 0 and said
  // nothing: a pipeline took the run for done, and nothing told it the run waits for attach.
  it('`run … | head -n 1` stops following the run, says on stderr how to, and exits 141', async () => {
    const runId = `cli-terminal-piped-${process.pid}`;
    const config = writeConfig('piped.yaml', panelConfig());
    const result = await shell(
      `${cli(`run "One more story?" -c ${config} --id ${runId} --worker`)} | head -n 1; exit \${PIPESTATUS[0]}`,
      { ...env, PATH: process.env.PATH ?? '' },
    );
    expect(result.stdout).toBe(`Starting session ${runId}…\n`);
    expect(result.stderr).toBe(
      'council: the output closed before the run ended. The run goes on when a worker serves it, ' +
        `and closes when its round ends: council attach ${runId}\n`,
    );
    expect(result.code).toBe(141);
  });

  // Once the round is over, the output cut is a report's: nothing went on without it.
  it('`attach ID --json | head -c 10` of a round already over: exit 0, nothing said', async () => {
    const result = await shell(
      `${cli(`attach ${id} --worker --json`)} | head -c 10; exit \${PIPESTATUS[0]}`,
      {
        ...env,
        PATH: process.env.PATH ?? '',
      },
    );
    expect(result.stdout).toBe('{\n  "schem');
    expect(result.stderr).not.toContain('the output closed');
    expect(result.code).toBe(0);
  });

  it('a reader slower than the CLI still gets every byte of `session show ID --json`', async () => {
    // The reader starts once the CLI has exited, or after 5 s: a CLI that exits with output still
    // queued for the pipe (over its 64 KiB) loses it; one that waits for the reader is read at 5 s.
    const flag = path.join(mkdtempSync(path.join(os.tmpdir(), 'council-pipe-')), 'exited');
    const reader = `(for i in $(seq 1 100); do [ -f ${flag} ] && break; sleep 0.05; done; cat)`;
    const result = await shell(
      `{ ${cli(`session show ${id} --json --worker`)}; echo $? > ${flag}; } | ${reader}`,
      {
        ...env,
        PATH: process.env.PATH ?? '',
      },
    );
    expect(readFileSync(flag, 'utf8').trim()).toBe('0');
    expect(result.stdout.length).toBeGreaterThan(64 * 1024);
    expect(() => JSON.parse(result.stdout)).not.toThrow();
  });

  it('on a terminal, answers wrap on word boundaries to its width', async () => {
    // `script` gives the CLI a pseudo-terminal; stty sets its width to 60 columns.
    const result = await shell(
      `script -qec ${JSON.stringify(`stty cols 60; ${cli(`session show ${id} --worker`)}`)} /dev/null`,
      env,
    );
    expect(result.code).toBe(0);
    const lines = result.stdout.split(/\r?\n/);
    const answerLines = lines.filter((line) => line.includes('fox'));
    expect(answerLines.length).toBeGreaterThan(100);
    // The transcript (after the one-line heading) fits the terminal.
    for (const line of lines.slice(1)) expect(line.length).toBeLessThanOrEqual(60);
    // Every word of the answers is whole: none was cut at the edge.
    for (const line of answerLines) {
      for (const word of line
        .replace(/^Expert-\d says: /, '')
        .trim()
        .split(/\s+/)) {
        expect(WORDS).toContain(word);
      }
    }
  });

  it('piped, answers stay unwrapped: one line per paragraph, for grep and friends', async () => {
    const result = await runCli(['session', 'show', id, '--worker'], env);
    expectSuccess(result);
    expect(result.stdout).toContain(`Expert-1 says: ${LONG_ANSWER.trim()}\n`);
  });
});
