import { truncateSync, writeFileSync } from 'node:fs';
import { loadConfigFile, validateConfig } from '../../client/api/config';
import { loadConversation } from '../../client/api/conversationFile';
import { CouncilUserError } from '../../common/userError';
import { cliEnv, runCli, writeConfig } from '../cli/cli';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;

/** A valid session config with one participant, changed by `patch`. */
function session(patch: Record<string, unknown> = {}, participant: Record<string, unknown> = {}) {
  return {
    strategy: 'broadcast',
    participants: [{ name: 'A', role: 'panelist', model, ...participant }],
    ...patch,
  };
}

/** A valid council config with one expert, changed by `patch`. */
function councilConfig(expert: Record<string, unknown> = {}, synthesis: Record<string, unknown> = {}) {
  return {
    kind: 'council',
    mode: 'parallel',
    activeExperts: [{ id: 'a', name: 'A', model, ...expert }],
    synthesisConfig: { model, ...synthesis },
  };
}

/** The error message validateConfig gives, or "accepted". */
function verdict(raw: unknown): string {
  try {
    validateConfig(raw);
    return 'accepted';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('attack: oversized input', () => {
  it('refuses a 50 MB config file quickly, before parsing it, with a clear error', () => {
    const file = writeConfig('huge.yaml', '');
    const line = `# ${'x'.repeat(1022)}\n`;
    writeFileSync(file, `strategy: broadcast\n${line.repeat(50 * 1024)}`);
    const started = Date.now();
    expect(() => loadConfigFile(file)).toThrow(
      /holds more than 1\.0 MiB: config files may be at most 1\.0 MiB/,
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a saved conversation past its cap before parsing it', () => {
    // Sparse: 40 MiB the reader would have to take in, no disk used.
    const file = writeConfig('conversation.json', '');
    truncateSync(file, 40 * 1024 * 1024);
    expect(() => loadConversation(file)).toThrow(
      `"${file}" holds more than 32.0 MiB: a saved conversation may be at most 32.0 MiB`,
    );
  });

  const oversized: Record<string, unknown> = {
    'a 200,001-character session system prompt': session({ systemPrompt: 'x'.repeat(200_001) }),
    'a 200,001-character participant system prompt': session({}, { systemPrompt: 'x'.repeat(200_001) }),
    'a 200,001-character question': session({ question: 'x'.repeat(200_001) }),
    'a 1,000-character model id': session({}, { model: { ...model, model: 'm'.repeat(1000) } }),
    'a 5,000-character baseURL': session(
      {},
      { model: { provider: 'openai-compatible', model: 'm', baseURL: `http://h/${'p'.repeat(5000)}` } },
    ),
    'a 1,000-character apiKeyEnv': session({}, { model: { ...model, apiKeyEnv: 'K'.repeat(1000) } }),
    'a 200,001-character expert description': councilConfig({ description: 'x'.repeat(200_001) }),
    'a 200,001-character synthesizer prompt': councilConfig({}, { systemPrompt: 'x'.repeat(200_001) }),
  };
  for (const [what, raw] of Object.entries(oversized)) {
    it(`refuses ${what} with an error naming the field and the cap`, () => {
      expect(verdict(raw)).toMatch(/Too big|at most|longer than/i);
    });
  }
});

describe('attack: a baseURL that is not http(s)', () => {
  for (const url of ['file:///etc/passwd', 'ftp://example.com/v1', 'javascript:alert(1)', 'gopher://h:70/']) {
    it(`refuses baseURL ${url}`, () => {
      const raw = session({}, { model: { provider: 'openai-compatible', model: 'm', baseURL: url } });
      expect(verdict(raw)).toContain('baseURL must be an http:// or https:// URL');
    });
  }

  it('`config check` refuses baseURL file:///etc/passwd with a clear message', async () => {
    const file = writeConfig(
      'file-url.yaml',
      session({}, { model: { provider: 'openai-compatible', model: 'm', baseURL: 'file:///etc/passwd' } }),
    );
    const result = await runCli(['config', 'check', file], cliEnv());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'participants[0].model.baseURL: baseURL must be an http:// or https:// URL',
    );
  });

  it('still accepts http and https base URLs', () => {
    for (const baseURL of ['http://localhost:11434/v1', 'https://api.example.com/v1']) {
      expect(verdict(session({}, { model: { provider: 'openai-compatible', model: 'm', baseURL } }))).toBe(
        'accepted',
      );
    }
  });
});

describe('text that is not UTF-8', () => {
  // Decoded as it was, a Latin-1 "é" became U+FFFD: a participant's name or prompt changed unsaid.
  const latin1 = Buffer.concat([
    Buffer.from('strategy: broadcast\nparticipants:\n  - name: Caf'),
    Buffer.from([0xe9]),
    Buffer.from('\n    role: panelist\n    model: { provider: openai, model: m }\n'),
  ]);

  it('refuses a config file naming the line that holds bytes that are not UTF-8', () => {
    const file = writeConfig('latin1.yaml', '');
    writeFileSync(file, latin1);
    expect(() => loadConfigFile(file)).toThrow(
      new CouncilUserError(
        `${file}:3: not UTF-8 text (this line holds bytes that are not)`,
        'save it as UTF-8',
      ),
    );
  });

  it('refuses a config saved as UTF-16 (as some editors do) at its first line', () => {
    const file = writeConfig('utf16.yaml', '');
    writeFileSync(
      file,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('strategy: broadcast\n', 'utf16le')]),
    );
    expect(() => loadConfigFile(file)).toThrow(`${file}:1: not UTF-8 text`);
  });

  it('refuses a saved conversation that is not UTF-8', () => {
    const file = writeConfig('conversation-latin1.json', '');
    writeFileSync(
      file,
      Buffer.concat([Buffer.from('{\n  "messages": ["'), Buffer.from([0xe9]), Buffer.from('"]\n}\n')]),
    );
    expect(() => loadConversation(file)).toThrow(`${file}:2: not UTF-8 text`);
  });
});
