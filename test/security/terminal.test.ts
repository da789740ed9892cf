import type { LLMock } from '@copilotkit/aimock';
import pc from 'picocolors';
import { ZERO_USAGE } from '../../common/llm';
import { formatAnswer } from '../../client/cli/output';
import { startMockLlm } from '../helpers/mockLlm';
import {
  cliEnv,
  clusterEnv,
  councilConfig,
  mockProviderEnv,
  panelConfig,
  runCli,
  stopStartedClis,
  writeConfig,
} from '../cli/cli';

// A CLI run spawns a process and a worker: slow on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

/** Escapes a hostile model could write: each must be gone from what the CLI prints. */
const ESCAPES: Record<string, string> = {
  'clear screen (CSI 2J)': '\u001b[2J',
  'set window title (OSC 0, BEL-terminated)': '\u001b]0;pwned\u0007',
  'hyperlink (OSC 8, ST-terminated)': '\u001b]8;;http://evil.example\u001b\\click\u001b]8;;\u001b\\',
  'red text (SGR)': '\u001b[31m',
  '8-bit CSI': '\u009b2J',
  'carriage return over the line': 'fake line\r',
  backspace: 'x\u0008',
  'bidi override': '\u202Eevil',
};
const HOSTILE = `Answer ${Object.values(ESCAPES).join(' ')} end.\n\tindented`;

/** Characters a terminal acts on rather than prints: none may reach the output. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/**
 * The CLI's own heading, coloured as the CLI colours it (picocolors turns colour on for a terminal or
 * when CI is set): what follows it is the text a model wrote, which must hold no control character.
 */
const HEADING = `${pc.bold('Expert-1')} ${pc.dim('(panelist)')}`;

/** What the CLI printed after its own heading (and its coloured status word on a failure). */
function written(printed: string, prefix: string): string {
  expect(printed.startsWith(prefix)).toBe(true);
  return printed.slice(prefix.length);
}

describe('attack: a model answers with terminal escape sequences', () => {
  for (const [what, escape] of Object.entries(ESCAPES)) {
    it(`strips ${what} from a printed answer, keeping newlines and tabs`, () => {
      const printed = formatAnswer({
        name: 'Expert-1',
        role: 'panelist',
        status: 'ok',
        content: `before ${escape} after\n\tnext`,
        tokenUsage: ZERO_USAGE,
      });
      expect(written(printed, HEADING)).not.toMatch(CONTROL);
      expect(printed).toContain('\n\tnext');
    });
  }

  it('strips escapes from a failure reason too', () => {
    const printed = formatAnswer({
      name: 'Expert-1',
      role: 'panelist',
      status: 'failed',
      content: '',
      tokenUsage: ZERO_USAGE,
      error: { type: 'ProviderServerError', message: 'boom \u001b[2J\u001b]0;t\u0007' },
    });
    expect(written(printed, `${HEADING} ${pc.red('failed')}: `)).not.toMatch(CONTROL);
  });

  describe('`council run` end to end', () => {
    let mock: LLMock;
    beforeAll(async () => {
      mock = await startMockLlm();
      mock.on(
        { predicate: () => true },
        { content: HOSTILE, usage: { prompt_tokens: 1, completion_tokens: 1 } },
      );
    });
    afterAll(async () => {
      await mock?.stop();
    });

    it('prints the hostile answers with no escape or control character', async () => {
      const config = writeConfig('panel.yaml', panelConfig());
      const result = await runCli(
        ['run', 'Hello?', '--config', config, '--worker'],
        clusterEnv('terminal', mockProviderEnv(mock)),
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Answer ');
      expect(result.stdout).toContain('end.\n\tindented');
      expect(result.stdout).not.toMatch(CONTROL);
    });

    it("prints a person's hostile question with no escape in `list` and a council's `show`", async () => {
      // The embedded server: `show` reads a closed council with the CLI's own worker.
      const env = cliEnv(mockProviderEnv(mock));
      const id = `terminal-question-${Date.now()}`;
      const config = writeConfig('council.yaml', councilConfig());
      const ran = await runCli(['run', `Which ${HOSTILE}?`, '--config', config, '--id', id], env);
      expect(ran.code).toBe(0);
      const shown = await runCli(['show', id], env);
      expect(shown.stderr).toBe('');
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain('Which Answer');
      expect(shown.stdout).not.toMatch(CONTROL);
      const listed = await runCli(['list', '--kind', 'council', '--limit', '5'], env);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain(id);
      expect(listed.stdout).not.toMatch(CONTROL);
    });

    it("prints errors and a config's model ids with no escape: an id, an unknown key, a model", async () => {
      const env = cliEnv();
      const key = writeConfig('key.yaml', `strategy: broadcast\n"k${HOSTILE}": 1\nparticipants: []\n`);
      const model = writeConfig('model.yaml', {
        ...panelConfig(),
        participants: [
          { name: 'A', role: 'panelist', model: { provider: 'openai', model: `gpt${HOSTILE}` } },
        ],
      });
      const results = [
        await runCli(['show', `x${HOSTILE}`], env),
        await runCli(['config', 'check', key], env),
        await runCli(['estimate', '-c', model], env),
        // --verbose printed the stack raw, and its first line is the message.
        await runCli(['show', `x${HOSTILE}`, '--verbose'], env),
      ];
      // A model id with control characters is refused by the schema, and its error is clean too.
      expect(results.map((result) => result.code)).toEqual([1, 1, 1, 1]);
      expect(results[2]?.stderr).toContain(
        'model must be a model id without spaces, line breaks or control characters',
      );
      for (const result of results) expect(`${result.stdout}${result.stderr}`).not.toMatch(CONTROL);
    });

    it('keeps an error on one line when what it quotes holds a line break: a second line could pose as another', async () => {
      const env = cliEnv();
      const forged = 'x\ncouncil: done, all participants answered';
      const results = [
        await runCli(['show', forged], env),
        await runCli(['run', '--simulate', '--id', forged, 'Hello?'], env),
        await runCli(['config', 'check', `/missing/${forged}`], env),
      ];
      for (const result of results) {
        expect(result.code).toBe(1);
        expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
        expect(result.stderr).toContain('x\\ncouncil: done');
      }
    });
  });
});
