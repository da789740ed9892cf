import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse as parseYaml } from 'yaml';
import { configJsonSchema, loadConfigFile } from '../../client/api/config';
import { strictJsonProblem } from '../../client/api/strictJson';
import { defaultConfig } from '../../client/api/defaultConfigs';
import { shouldSimulate } from '../../client/cli/simulated';
import { CouncilUserError } from '../../common/userError';
import { cliEnv, panelConfig, runCli, writeConfig } from './cli';

const EXAMPLES = path.resolve(__dirname, '../../examples');
const SCHEMA_FILE = path.join(EXAMPLES, 'council.schema.json');

describe('config files', () => {
  it('`config schema -o` to a path it cannot write says so, naming the file, why and the fix', async () => {
    const out = path.join(os.tmpdir(), `no-such-dir-${process.pid}`, 'schema.json');
    const result = await runCli(['config', 'schema', '-o', out], cliEnv());
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 1,
      stderr: `council: cannot write "${out}": no such directory (pick a file in a directory that exists and you may write to)\n`,
    });
  });

  it('`config schema` prints the JSON Schema the examples point at, and it is up to date', async () => {
    const result = await runCli(['config', 'schema'], cliEnv());
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
    expect(configJsonSchema()).toMatchObject({ anyOf: [expect.any(Object), expect.any(Object)] });
  });

  it('the JSON Schema accepts what the CLI accepts: every example, and a council whose kind its mode implies', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const valid = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);
    const examples = readdirSync(EXAMPLES).filter(
      (file) => /\.(ya?ml|json)$/.test(file) && file !== 'council.schema.json',
    );
    expect(examples.length).toBeGreaterThan(10);
    for (const file of examples) {
      const data: unknown = parseYaml(readFileSync(path.join(EXAMPLES, file), 'utf8'));
      expect({ file, valid: valid(data), errors: valid.errors }).toEqual({ file, valid: true, errors: null });
    }
    const { kind, ...kindless } = parseYaml(
      readFileSync(path.join(EXAMPLES, 'council-parallel.yaml'), 'utf8'),
    ) as {
      kind: string;
    };
    expect(kind).toBe('council');
    expect(loadConfigFile(writeConfig('kindless-council.yaml', kindless)).kind).toBe('council');
    expect({ valid: valid(kindless), errors: valid.errors }).toEqual({ valid: true, errors: null });
  });

  it('`config check` validates a file and says which keys it needs', async () => {
    const ok = await runCli(
      ['config', 'check', 'examples/hierarchical.yaml'],
      cliEnv({ OPENAI_API_KEY: 'k' }),
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(
      'examples/hierarchical.yaml: valid session config (hierarchical, 3 participants)\n' +
        'needs: OPENAI_API_KEY (set), ANTHROPIC_API_KEY (not set)\n',
    );
    const bad = writeConfig('bad.yaml', 'strategy: broadcast\nparticipants:\n  - name: A\n    role: boss\n');
    const result = await runCli(['config', 'check', bad], cliEnv());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${bad}:4: participants[0].role: Invalid option: expected one of`);
    expect(result.stderr).toContain(`${bad}:3: participants[0].model: missing: it is required (an object)`);
  });

  // A participant with no role was told its role was an "Invalid option", as if it had a wrong one.
  it('says that a field taking one of some values is missing, not invalid, when it is absent', () => {
    const model = '    model: { provider: openai, model: gpt-4o-mini }';
    const roleless = writeConfig(
      'roleless.yaml',
      ['strategy: broadcast', 'participants:', '  - name: A', model].join('\n'),
    );
    expect(() => loadConfigFile(roleless)).toThrow(
      `${roleless}:3: participants[0].role: missing: it is required (one of "moderator"|"panelist"|`,
    );
    const wrong = writeConfig(
      'wrong-role.yaml',
      ['strategy: broadcast', 'participants:', '  - name: A', '    role: boss', model].join('\n'),
    );
    expect(() => loadConfigFile(wrong)).toThrow(
      `${wrong}:4: participants[0].role: Invalid option: expected one of`,
    );
  });

  it("`config check` says which models this machine's provider policy refuses, as `council run` here would", async () => {
    const config = writeConfig(
      'metadata.yaml',
      [
        'strategy: broadcast',
        'participants:',
        '  - name: Probe',
        '    role: panelist',
        '    model: { provider: openai, model: gpt-4o-mini, baseURL: "http://169.254.169.254/v1", apiKeyEnv: PATH }',
        '  - name: Fine',
        '    role: panelist',
        '    model: { provider: openai, model: gpt-4o-mini }',
      ].join('\n'),
    );
    const result = await runCli(['config', 'check', config], cliEnv({ OPENAI_API_KEY: 'k' }));
    expect(result.code).toBe(0);
    const notes = result.stdout.split('\n').filter((line) => line.startsWith('note: '));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(
      /^note: this machine's provider policy \(what `council run` here applies\) refuses participant "Probe": /,
    );
    expect(result.stdout).not.toContain('"Fine"');
  });

  it('`config check` of a .json file council reads but strict JSON refuses says so, with where', async () => {
    const participant = '{"name": "A", "role": "panelist", "model": {"provider": "openai", "model": "m"}}';
    const trailing = writeConfig(
      'trailing.json',
      `{"strategy": "broadcast",\n "participants": [${participant}],}\n`,
    );
    const checked = await runCli(['config', 'check', trailing], cliEnv());
    expect(checked.code).toBe(0);
    const [valid, note] = checked.stdout.split('\n');
    expect(valid).toBe(`${trailing}: valid session config (broadcast, 1 participant)`);
    expect(note).toMatch(
      /^note: not strict JSON: .+\.json:2:\d+: .+ \(council reads it; other JSON tools may not\)$/,
    );
    expect(note).toContain(trailing);
    // Where the engine names no position, the note still names the problem, without the text quoted.
    const inList = writeConfig(
      'in-list.json',
      `{"strategy": "broadcast", "participants": [${participant},]}`,
    );
    const listed = await runCli(['config', 'check', inList], cliEnv());
    expect(listed.stdout.split('\n')[1]).toBe(
      `note: not strict JSON: ${inList}: Unexpected token ']' (council reads it; other JSON tools may not)`,
    );
  });

  it('`config check` accepts strategy selector with its settings, and says what to add without them', async () => {
    const ok = await runCli(['config', 'check', 'examples/selector.yaml'], cliEnv({ OPENAI_API_KEY: 'k' }));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(
      'examples/selector.yaml: valid session config (selector, 3 participants)\n' +
        'needs: OPENAI_API_KEY (set), ANTHROPIC_API_KEY (not set)\n',
    );
    const participant = { name: 'A', role: 'panelist', model: { provider: 'openai', model: 'm' } };
    const bare = writeConfig('selector.yaml', { strategy: 'selector', participants: [participant] });
    const result = await runCli(['config', 'check', bare], cliEnv());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${bare}:1: selector: the selector strategy needs \`selector:\` settings, at least \`model\``,
    );
    // Said once: the strategy's own check at the round would say it again.
    expect(result.stderr).not.toContain('selector needs `selector:` settings in the session config');
    const tooLong = writeConfig('selector-turns.yaml', {
      strategy: 'selector',
      selector: { model: participant.model, maxTurns: 50 },
      participants: [participant],
    });
    expect(() => loadConfigFile(tooLong)).toThrow(/selector\.maxTurns: maxTurns may be at most 20/);
  });

  it('reads no more of a pipe than a config may hold, and says so', async () => {
    // stat says 0 bytes for a pipe or a device (/dev/zero never ends): the bound must be on what is
    // read. The writer offers 64 MiB; a reader that stops past the limit closes the pipe under it.
    const fifo = path.join(mkdtempSync(path.join(os.tmpdir(), 'council-fifo-')), 'config.yaml');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('bash', ['-c', 'head -c 67108864 /dev/zero | tr "\\0" a > "$0"', fifo], {
      stdio: 'ignore',
    });
    const writerExit = new Promise<number | null>((resolve) => writer.once('exit', resolve));
    expect(() => loadConfigFile(fifo)).toThrow(
      `${fifo} holds more than 1.0 MiB: config files may be at most 1.0 MiB`,
    );
    // 128 + SIGPIPE: the writer was cut off, not read to its end.
    expect(await writerExit).toBe(141);
  });

  it('names the file of an alias bomb the YAML parser refuses', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const [name, previous] of [
      ['b', 'a'],
      ['c', 'b'],
      ['d', 'c'],
      ['e', 'd'],
    ]) {
      levels.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`);
    }
    const bomb = writeConfig('bomb.yaml', `${levels.join('\n')}\n`);
    expect(() => loadConfigFile(bomb)).toThrow(/^\S*bomb\.yaml: Excessive alias count/);
  });

  it("takes YAML's merge keys, so participants can share settings; a merged key still may not be unknown", () => {
    const shared = [
      'strategy: broadcast',
      'participants:',
      '  - &panelist',
      '    name: A',
      '    role: panelist',
      '    model: { provider: openai, model: gpt-4o-mini }',
      '  - <<: *panelist',
      '    name: B',
    ];
    const loaded = loadConfigFile(writeConfig('merged.yaml', `${shared.join('\n')}\n`));
    if (loaded.kind !== 'session') throw new Error(loaded.kind);
    expect(loaded.session.participants.map((p) => [p.name, p.role, p.model.model])).toEqual([
      ['A', 'panelist', 'gpt-4o-mini'],
      ['B', 'panelist', 'gpt-4o-mini'],
    ]);
    const typo = [...shared.slice(0, 3), '    nmae: A', ...shared.slice(4)];
    expect(() => loadConfigFile(writeConfig('merged-typo.yaml', `${typo.join('\n')}\n`))).toThrow(
      /Unrecognized key: "nmae"/,
    );
  });

  it('names a stray mode in a session config, not every session key as unknown', () => {
    const file = writeConfig(
      'stray-mode.yaml',
      'strategy: roundRobin\nmode: parallel\nparticipants:\n  - name: A\n    role: panelist\n    model: { provider: openai, model: m }\n',
    );
    expect(() => loadConfigFile(file)).toThrow(
      new CouncilUserError(
        `${file}:2: "mode" is a council's, and "strategy" and "participants" a session's`,
        "remove mode for a session (its strategy says how it plays), or write kind: council with a council's keys",
      ),
    );
  });

  it('says in words why a config file cannot be read', () => {
    expect(() => loadConfigFile(os.tmpdir())).toThrow(
      new CouncilUserError(`cannot read config file ${os.tmpdir()}: it is a directory`),
    );
    expect(() => loadConfigFile(path.join(os.tmpdir(), 'no-such-council.yaml'))).toThrow(/: no such file$/);
  });

  it('names the line of every problem, in YAML and in JSON', () => {
    const json = writeConfig(
      'c.json',
      '{\n  "strategy": "broadcast",\n  "maxTokens": 10,\n  "participants": []\n}\n',
    );
    expect(() => loadConfigFile(json)).toThrow(
      /c\.json:3: maxTokens: Too small: expected number to be >=64[\s\S]*c\.json:4: participants: a session needs at least one participant/,
    );
    // On one line: the CLI prints an error as one, and showed these line breaks as a literal "\n".
    expect(() => loadConfigFile(json)).toThrow(/^invalid config: [^\n]*c\.json:3: [^\n]*; [^\n]*c\.json:4: /);
  });

  it('names the line of an unknown key itself, not of the mapping that holds it', () => {
    const yaml = writeConfig(
      'keys.yaml',
      'strategy: broadcast\nbogus: 1\nparticipants:\n  - name: A\n    role: panelist\n    colour: red\n' +
        '    model: { provider: openai, model: m }\n    extra:\n      nested: 1\n',
    );
    const problem = (() => {
      try {
        loadConfigFile(yaml);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(problem).toContain('keys.yaml:2: (root): Unrecognized key: "bogus"');
    expect(problem).toContain('keys.yaml:6: participants[0]: Unrecognized keys: "colour", "extra"');
    // A key whose value is a block is named on its own line, not its value's.
    const block = writeConfig('block.yaml', 'strategy: broadcast\nextra:\n  nested: 1\nparticipants: []\n');
    expect(() => loadConfigFile(block)).toThrow(/block\.yaml:2: \(root\): Unrecognized key: "extra"/);
  });

  it('says one thing per mistake, in words: an empty name, a number too large, a fraction', () => {
    const yaml = writeConfig(
      'numbers.yaml',
      'strategy: broadcast\nmaxTokens: 1e20\nparticipants:\n  - name: ""\n    role: panelist\n' +
        '    priority: 1e20\n    model: { provider: openai, model: m }\n    maxOutputTokens: -1.5\n',
    );
    const lines = (() => {
      try {
        loadConfigFile(yaml);
        return [];
      } catch (error) {
        return (error as Error).message.replace(/^invalid config: /, '').split('; ');
      }
    })();
    const about = (key: string) => lines.filter((line) => line.includes(`: ${key}: `));
    expect(about('maxTokens')).toEqual([
      expect.stringMatching(/numbers\.yaml:2: maxTokens: .*at most 2000000/),
    ]);
    expect(about('participants[0].name')).toEqual([
      expect.stringMatching(/numbers\.yaml:4: participants\[0\]\.name: name is empty/),
    ]);
    expect(about('participants[0].priority')).toEqual([
      expect.stringMatching(
        /numbers\.yaml:6: participants\[0\]\.priority: 100000000000000000000 is too large/,
      ),
    ]);
    expect(about('participants[0].maxOutputTokens')).toEqual([
      expect.stringMatching(
        /numbers\.yaml:8: participants\[0\]\.maxOutputTokens: -1\.5 is not a whole number/,
      ),
    ]);
    expect(lines.join('\n')).not.toMatch(/Invalid input|9007199254740991/);
  });

  it('says a config nested past what the parser reads is nested too deeply', () => {
    const deep = writeConfig('deep.yaml', `strategy: broadcast\nparticipants: ${'['.repeat(100_000)}\n`);
    expect(() => loadConfigFile(deep)).toThrow(/deep\.yaml:2:\d+: nested too deeply to read/);
  });

  it('says what a config holds when a file holds no mapping: a session or a council', () => {
    for (const [file, text] of [
      ['empty.yaml', ''],
      ['list.yaml', '- a\n- b\n'],
    ] as const) {
      expect(() => loadConfigFile(writeConfig(file, text))).toThrow(
        expect.objectContaining({
          message: expect.stringMatching(
            new RegExp(
              `${file}(:1)?: a config must be a mapping: a session's with "strategy" and "participants", or a council's with kind: council, "mode" and "activeExperts"$`,
            ),
          ),
          hint: 'see examples/ for one of each, and `council config schema`',
        }),
      );
    }
  });

  it("says what a bad kind or a JSON file's syntax error is, in the file's own terms", () => {
    const kind = writeConfig('kind.yaml', 'strategy: broadcast\nkind: banana\n');
    expect(() => loadConfigFile(kind)).toThrow(
      /kind\.yaml:2: kind: "banana" is neither "session" nor "council"/,
    );
    const json = writeConfig('broken.json', '{\n  "strategy": "broadcast",\n  "participants": [1, 2}\n');
    expect(() => loadConfigFile(json)).toThrow(/broken\.json:3:24: Expected ',' or ']' after array element$/);
    // Where JSON gives no position, its words still say what is wrong, at the place the YAML reader stopped.
    const unclosed = writeConfig('unclosed.json', '{"strategy": "broadcast", "participants": [}');
    expect(() => loadConfigFile(unclosed)).toThrow(new RegExp(`^${unclosed}:1:\\d+: Unexpected token '}'$`));
    // What the YAML reader forgives in a .json file (a BOM, a trailing comma) still loads.
    const participant =
      '{ "name": "A", "role": "panelist", "model": { "provider": "openai", "model": "m" } }';
    const lenient = writeConfig(
      'lenient.json',
      `\uFEFF{ "strategy": "broadcast", "participants": [${participant},], }\n`,
    );
    expect(loadConfigFile(lenient)).toMatchObject({ kind: 'session' });
    // A `//` comment, which YAML reads as part of the next key, is named as JSON names it.
    const commented = writeConfig(
      'commented.json',
      `{ "strategy": "broadcast", // the panel\n "participants": [${participant}] }\n`,
    );
    expect(() => loadConfigFile(commented)).toThrow(
      expect.objectContaining({
        message: `${commented}:1:28: Expected double-quoted property name`,
        hint: 'JSON takes no // or /* */ comments: remove it, or write the config in YAML',
      }),
    );
  });

  it("says where strict JSON stops reading a .json file, without quoting the file's text", () => {
    const participant = '{"name": "A", "role": "panelist", "model": {"provider": "openai", "model": "m"}}';
    // Mid-file, the engine quotes the text around the error, cut short on both sides, and no position.
    expect(
      strictJsonProblem(`{\n "participants": [${participant},\n ],\n "strategy": "broadcast"\n}`),
    ).toEqual({
      message: "Unexpected token ']'",
    });
    expect(strictJsonProblem('{"a": 1}\n# a comment')).toEqual({
      message: 'Unexpected non-whitespace character after JSON',
      at: '2:1',
    });
    expect(strictJsonProblem('{"a": 1, // why\n"b": 2}')).toEqual({
      message: 'Expected double-quoted property name',
      at: '1:10',
      comment: true,
    });
    expect(strictJsonProblem('\uFEFF{"a": [1]}')).toBeUndefined();
  });

  it('council configs: mode, unique ids, two experts to debate', () => {
    const expert = (id: string) => ({ id, name: id, model: { provider: 'openai', model: 'm' } });
    const file = writeConfig('council.yaml', {
      kind: 'council',
      mode: 'adversarial',
      activeExperts: [expert('a')],
      synthesisConfig: { model: { provider: 'openai', model: 'm' } },
    });
    expect(() => loadConfigFile(file)).toThrow(/activeExperts: adversarial mode needs at least two experts/);
    expect(() => loadConfigFile(file, { mode: 'parallel' })).not.toThrow();
    expect(() => loadConfigFile(file, { strategy: 'broadcast' })).toThrow(/--strategy is for sessions/);
    // Two experts one address would not tell apart: each would take the other's messages.
    const twins = writeConfig('twins.yaml', {
      kind: 'council',
      mode: 'parallel',
      activeExperts: [expert('a'), { ...expert('b'), name: 'Alpha' }, { ...expert('c'), name: 'alpha' }],
      synthesisConfig: { model: { provider: 'openai', model: 'm' } },
    });
    expect(() => loadConfigFile(twins)).toThrow(
      /twins\.yaml:\d+: activeExperts\[2\]\.name: "alpha" also names expert "b"/,
    );
    // A key in the config, or the seed's retry spelling: the error says what council takes instead.
    const keyed = writeConfig('keyed.yaml', {
      kind: 'council',
      mode: 'parallel',
      activeExperts: [{ ...expert('a'), apiKey: 'sk-x', retry: { maxAttempts: 2 } }],
      synthesisConfig: { model: { provider: 'openai', model: 'm' } },
    });
    expect(() => loadConfigFile(keyed)).toThrow(
      /Unrecognized key: "apiKey" \("apiKey": a key never goes into a config, .* or name another with apiKeyEnv\)/,
    );
    expect(() => loadConfigFile(keyed)).toThrow(/"maxAttempts": retry takes maximumAttempts/);
    // A key named like an object's own property is no key hint: it was read from the prototype.
    const proto = writeConfig('proto.yaml', { ...panelConfig(), constructor: 1 });
    expect(() => loadConfigFile(proto)).toThrow(/Unrecognized key: "constructor"$/);
    const chair = writeConfig('chair.yaml', {
      kind: 'council',
      mode: 'parallel',
      activeExperts: [expert('a'), { ...expert('b'), name: 'Chair' }],
      synthesisConfig: { name: 'Chair', model: { provider: 'openai', model: 'm' } },
    });
    expect(() => loadConfigFile(chair)).toThrow(
      /chair\.yaml:\d+: synthesisConfig\.name: "Chair" also names expert "b"/,
    );
    // Left unnamed beside an expert with the default name (the seed's own sample), it takes another.
    const seedLike = writeConfig('seed-like.yaml', {
      kind: 'council',
      mode: 'parallel',
      activeExperts: [expert('a'), { ...expert('synthesizer'), name: 'Synthesizer' }],
      synthesisConfig: { model: { provider: 'openai', model: 'm' } },
    });
    expect(() => loadConfigFile(seedLike)).not.toThrow();
  });

  it('simulates only when no key the config needs is set, or when asked', () => {
    const config = defaultConfig({});
    expect(shouldSimulate(config, {}, undefined)).toBe(true);
    expect(shouldSimulate(config, { OPENAI_API_KEY: 'k' }, undefined)).toBe(false);
    expect(shouldSimulate(config, { OPENAI_API_KEY: 'k' }, true)).toBe(true);
    expect(() => shouldSimulate(config, {}, false)).toThrow(/OPENAI_API_KEY is not set/);
    // The default config follows the key that is set.
    const anthropic = defaultConfig({ ANTHROPIC_API_KEY: 'k' });
    expect(anthropic.kind === 'session' && anthropic.session.participants[0]?.model.provider).toBe(
      'anthropic',
    );
  });
});
