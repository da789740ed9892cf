import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import type { LLMock } from '@copilotkit/aimock';
import { startMockLlm } from '../helpers/mockLlm';
import {
  clusterEnv,
  mockProviderEnv,
  panelConfig,
  startCli,
  stopStartedClis,
  waitFor,
  writeConfig,
} from '../cli/cli';

// `council run` shows a participant's text while its model streams: in place under a terminal (a
// pseudo-terminal from util-linux `script`), as complete lines without one. The mock writes slowly.
const QUESTION = 'Think aloud about streaming';
const ROOT = path.resolve(__dirname, '../..');
const words = Array.from({ length: 80 }, (_, i) => `idea${i}`);
const answer = `${words.slice(0, 40).join(' ')}\n${words.slice(40).join(' ')}.`;
const slow = { chunkSize: 6, latency: 40 };

jest.setTimeout(300_000);
afterAll(stopStartedClis);

let mock: LLMock;
beforeAll(async () => {
  mock = await startMockLlm();
  mock.on({ predicate: () => true }, { content: answer }, slow);
});
afterAll(async () => {
  await mock?.stop();
});

const config = () =>
  writeConfig(
    'one.json',
    panelConfig({
      participants: [{ name: 'Slow', role: 'panelist', model: { provider: 'openai', model: 'gpt-4o-mini' } }],
    }),
  );

describe('council run streams the text as it is written', () => {
  it('on a terminal, shows partial text in place before the answer is complete', async () => {
    expect(execFileSync('which', ['script'], { encoding: 'utf8' })).toMatch(/script/);
    const command = [process.execPath, '--import', 'tsx', 'client/cli/main.ts', 'run', `"${QUESTION}"`];
    command.push('-c', config(), '--worker');
    // script's terminal has no size (0 rows): log-update would clip the live lines to nothing.
    const child = spawn('script', ['-qfec', `stty rows 40 cols 100; ${command.join(' ')}`, '/dev/null'], {
      cwd: ROOT,
      env: clusterEnv('stream-tty', mockProviderEnv(mock)),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let partialBeforeEnd = false;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      // A live line with the first words, while the last word has not been printed anywhere yet.
      if (/│ idea0 idea1 idea2/.test(output) && !output.includes('idea79')) partialBeforeEnd = true;
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect({ code, tail: output.slice(-2000) }).toMatchObject({ code: 0 });
    expect(partialBeforeEnd).toBe(true);
    expect(output).toContain('idea79.');
  });

  it('without a terminal, prints each complete line once, before the answer ends', async () => {
    const run = startCli(
      ['run', QUESTION, '-c', config(), '--worker'],
      clusterEnv('stream-plain', mockProviderEnv(mock)),
    );
    const firstLine = `Slow │ ${words.slice(0, 40).join(' ')}\n`;
    await waitFor('the first streamed line', () => run.output.stdout.includes(firstLine), { process: run });
    // The second line has no newline after it: it comes with the answer, not as a streamed line.
    expect(run.output.stdout).not.toContain('idea79');
    const result = await run.done;
    expect(result.code).toBe(0);
    expect(result.stdout.split(firstLine)).toHaveLength(2);
    expect(result.stdout).not.toContain('Slow │ idea40');
    expect(result.stdout).toMatch(/Slow \(panelist\)\nidea0 idea1/);
  });
});
