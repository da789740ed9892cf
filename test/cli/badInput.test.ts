import { readFileSync } from 'node:fs';
import net from 'node:net';
import { freePort } from '../../client/runtime/freePort';
import { parseJsonDocument } from '../../client/cli/jsonOutput';
import path from 'node:path';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import {
  cliEnv,
  councilConfig,
  clusterEnv,
  panelConfig,
  runCli,
  runCliWithInput,
  TEST_ENV,
  writeConfig,
  type CliResult,
  stopStartedClis,
} from './cli';

const model = { provider: 'openai', model: 'gpt-4o-mini' };
const packageVersion = (
  JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string }
).version;

/** One clear line on stderr, exit code 1, no stack trace. */
function expectOneLineError(result: CliResult, pattern: RegExp): void {
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(pattern);
  expect(
    result.stderr
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith('(add --help')),
  ).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

/** Each command refused with its one line, and nothing printed on stdout (no run announced). */
async function expectRefusedUnannounced(cases: Array<[string[], RegExp]>): Promise<void> {
  for (const [args, pattern] of cases) {
    const result = await runCli(args, clusterEnv('bad'));
    expectOneLineError(result, pattern);
    expect(result.stdout).toBe('');
  }
}

// Every case spawns the CLI (and often a worker): minutes on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

describe('bad input: one clear message, exit 1, nothing started', () => {
  let client: Client;
  let counter = 0;

  beforeAll(async () => {
    const connection = await Connection.connect({ address: TEST_ENV.address });
    client = new Client({ connection, namespace: TEST_ENV.namespace });
  });
  afterAll(async () => {
    await client?.connection.close();
  });

  /** Runs `council run` with a config against the dev server, and checks no workflow was started. */
  async function run(config: object | string, extra: string[] = [], env: Record<string, string> = {}) {
    const id = `cli-bad-${process.pid}-${(counter += 1)}`;
    const file = typeof config === 'string' ? config : writeConfig('bad.yaml', config);
    const result = await runCli(
      ['run', 'Q?', '-c', file, '--worker', '--id', id, ...extra],
      clusterEnv('bad', env),
    );
    await expect(client.workflow.getHandle(id).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    return result;
  }

  it('an unknown strategy, naming the file, line and what is expected', async () => {
    const file = writeConfig(
      'bad.yaml',
      'strategy: roundtable\nparticipants:\n  - name: A\n    role: panelist\n    model: { provider: openai, model: m }\n',
    );
    expectOneLineError(
      await run(file),
      /^council: .*bad\.yaml:1: strategy: Invalid option: expected one of "broadcast"\|"roundRobin"\|"moderatorLed"\|"hierarchical"\|"custom"\|"selector"$/m,
    );
  });

  it('a question longer than a message may be, before a run id is announced', async () => {
    // From stdin: one argument of this length is more than Linux passes to a process.
    const config = writeConfig('panel.yaml', panelConfig());
    const args = ['run', '-', '-c', config, '--worker'];
    const result = await runCliWithInput(args, clusterEnv('bad'), 'a'.repeat(200_001));
    expectOneLineError(result, /^council: invalid question: the message is longer than 200000 characters/);
    expect(result.stdout).toBe('');
  });

  // A question piped in that opens with indented code keeps its first line's indentation.
  it('a question from stdin as written, its first line indented', async () => {
    const code = '    def f():\n        return 1';
    const args = ['run', '-', '--simulate', '--worker', '--json'];
    const result = await runCliWithInput(args, clusterEnv('indented'), `\n${code}\n`);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).question).toBe(code);
  });

  it('an unknown role', async () => {
    const config = panelConfig({
      participants: [
        { name: 'A', role: 'panelist', model },
        { name: 'B', role: 'chair', model },
      ],
    });
    expectOneLineError(
      await run(config),
      /bad\.yaml:\d+: participants\[1\]\.role: Invalid option: expected one of "moderator"\|/,
    );
  });

  it('no participants', async () => {
    expectOneLineError(
      await run(panelConfig({ participants: [] })),
      /participants: a session needs at least one participant/,
    );
  });

  it('duplicate names', async () => {
    const config = panelConfig({
      participants: [
        { name: 'A', role: 'panelist', model },
        { name: 'A', role: 'panelist', model },
      ],
    });
    expectOneLineError(
      await run(config),
      /participants\[1\]\.name: duplicate name "A" \(also participants\[0\]\.name\)/,
    );
  });

  it('a strategy without the roles it needs', async () => {
    expectOneLineError(
      await run(panelConfig({ strategy: 'moderatorLed' })),
      /participants: moderatorLed needs a participant with role "moderator"/,
    );
    expectOneLineError(
      await run(panelConfig(), ['--strategy', 'hierarchical']),
      /hierarchical needs a participant with role "supervisor"/,
    );
  });

  it('a provider whose key variable is unset, when others are set (no silent simulation)', async () => {
    const config = panelConfig({
      participants: [
        { name: 'A', role: 'panelist', model },
        { name: 'B', role: 'panelist', model: { provider: 'anthropic', model: 'claude-haiku-4-5' } },
      ],
    });
    expectOneLineError(
      await run(config, [], { OPENAI_API_KEY: 'k' }),
      /^council: ANTHROPIC_API_KEY is not set, and the config has participants that need it/,
    );
    expectOneLineError(await run(config, ['--no-simulate']), /OPENAI_API_KEY, ANTHROPIC_API_KEY are not set/);
  });

  it('an unreadable or malformed config', async () => {
    expectOneLineError(
      await run('/nonexistent/council.yaml'),
      /^council: cannot read config file \/nonexistent\/council\.yaml: no such file \(name a YAML or JSON config file\)$/m,
    );
    const broken = writeConfig('broken.yaml', 'strategy: broadcast\nparticipants: [\n  { name: A\n');
    expectOneLineError(await run(broken), /broken\.yaml:\d+:\d+: /);
  });

  it('an unknown flag, or a flag value that is not a choice', async () => {
    expectOneLineError(await run(panelConfig(), ['--bogus']), /error: unknown option '--bogus'/);
    expectOneLineError(
      await run(panelConfig(), ['--strategy', 'roundtable']),
      /argument 'roundtable' is invalid. Allowed choices are broadcast, roundRobin/,
    );
    expectOneLineError(
      await run(panelConfig(), ['--mode', 'parallel']),
      /--mode is for councils, and this config is a session/,
    );
    // A debate's own fields under --mode parallel: the error says the flag replaced the file's mode.
    expectOneLineError(
      await run('examples/council-adversarial.yaml', ['--mode', 'parallel']),
      /council-adversarial\.yaml:\d+: debateRounds: debateRounds applies to adversarial mode only \(this council is "parallel"\): remove it \(--mode parallel replaced the file's mode, adversarial: leave --mode out, or remove the fields named\)$/m,
    );
    // Any other problem of the file is its own: no word of the flag.
    const badModel = writeConfig('bad-model.yaml', {
      ...councilConfig(),
      mode: 'sequential',
      activeExperts: [{ id: 'a', name: 'Ada', model: { provider: 'openai' } }],
    });
    const other = await run(badModel, ['--mode', 'parallel']);
    expect(other.code).toBe(1);
    expect(other.stderr).not.toContain('--mode parallel replaced');
    expectOneLineError(
      await runCli(['run', 'Q?', '--mode', 'parallel', '--worker'], clusterEnv('bad')),
      /--mode is for councils, and with no -c the run uses the default session config \(pass a council config with -c/,
    );
    expectOneLineError(
      await runCli(['list', '--status', 'banana'], clusterEnv('bad')),
      /argument 'banana' is invalid. Allowed choices are idle, running, waiting-budget, closed/,
    );
  });

  it('a session id that does not exist', async () => {
    for (const command of [
      ['session', 'attach'],
      ['session', 'show'],
      ['session', 'send'],
      ['session', 'cancel'],
    ]) {
      const args = [...command, 'no-such-session', ...(command[1] === 'send' ? ['hello'] : []), '--worker'];
      expectOneLineError(
        await runCli(args, clusterEnv('bad')),
        /^council: no session or council with id "no-such-session"/,
      );
    }
  });

  // docs/json.md promises one JSON object on stdout from every --json command: an error printed none.
  it('with --json, an error is also a document on stdout: its line and exit code', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['show', 'no-such-session', '--worker', '--json'], /^no session or council with id "no-such-session"/],
      [
        ['run', 'Q?', '-c', '/no/such.yaml', '--worker', '--json'],
        /^cannot read config file \/no\/such\.yaml: no such file/,
      ],
      [['list', '--json', '--status', 'banana'], /argument 'banana' is invalid/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args, clusterEnv('bad'));
      expect(result.code).toBe(1);
      const document = parseJsonDocument(JSON.parse(result.stdout));
      expect(document).toMatchObject({ type: 'error', exitCode: 1 });
      expect((document as { message: string }).message).toMatch(message);
    }
  });

  it('an empty schedule id, as an empty run id is', async () => {
    for (const command of ['describe', 'pause', 'unpause', 'trigger', 'delete']) {
      expectOneLineError(
        await runCli(['schedule', command, '', '--worker'], clusterEnv('bad')),
        /^council: an empty id names no schedule \(see `council schedule list`\)/,
      );
    }
  });

  it('an empty message, recipient or stdin, before anything connects or starts (the address is unreachable)', async () => {
    const nowhere = clusterEnv('bad', { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    const empty = await runCli(['send', 'any-session', ' ', '--worker'], nowhere);
    expectOneLineError(
      empty,
      /^council: the message is empty \(write what to send, or - to read it from stdin\)/,
    );
    expect(empty.stdout).toBe('');
    // An empty address wrote to every expert a message meant for some.
    for (const to of ['', ' ', ',', 'a,,b']) {
      expectOneLineError(
        await runCli(['send', 'any-council', 'For you only.', '--to', to, '--worker'], nowhere),
        /^council: --to ".*" names an empty recipient \(name each one, separated by commas: participants, or a council's expert ids, role:ROLE or groups; leave --to out to write to all\)/,
      );
    }
    // Past a session's bound, the larger of the two kinds': the banner and the start came first.
    const long = await runCliWithInput(
      ['send', 'any-session', '-', '--worker'],
      nowhere,
      'x'.repeat(200_001),
    );
    expectOneLineError(
      long,
      /^council: the message is longer than 200000 characters: shorten it or send it in parts/,
    );
    expect(long.stdout).toBe('');
    const noQuestion = await runCliWithInput(
      ['run', '-', '-c', writeConfig('asks.yaml', { ...panelConfig(), question: 'Q?' })],
      nowhere,
      '',
    );
    expectOneLineError(
      noQuestion,
      /^council: the question on stdin is empty \(write the question to stdin, or pass it as an argument\)/,
    );
    // A blank argument asked the config's question instead, saying nothing.
    const blank = await runCli(
      ['run', '   ', '-c', writeConfig('asks.yaml', { ...panelConfig(), question: 'Q?' })],
      nowhere,
    );
    expectOneLineError(
      blank,
      /^council: the question is empty \(write one, or leave it out to ask the config's question\)/,
    );
    expect(blank.stdout).toBe('');
  });

  it('one port for the server and its Web UI, before a server starts', async () => {
    expectOneLineError(
      await runCli(['server', '--port', '47340', '--ui-port', '47340'], clusterEnv('bad')),
      /^council: --port and --ui-port are both 47340: the server and its Web UI each listen on a port of their own \(give one another port, e\.g\. --ui-port 8233\)/,
    );
  });

  // A port another program held ended `council server` with the dev server's bind error alone.
  it('a port another program listens on: the server says which, and how to pick others', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as net.AddressInfo;
    try {
      const uiPort = await freePort();
      const result = await runCli(['server', '--port', String(port), '--ui-port', String(uiPort)], cliEnv());
      expectOneLineError(
        result,
        new RegExp(
          `^council: The Temporal dev server exited at start: .*${port}.*address already in use \\(another program listens on port ${port} or ${uiPort}: pick free ones with --port and --ui-port\\)`,
        ),
      );
    } finally {
      taken.close();
    }
  });

  it('an unreachable Temporal address', async () => {
    const result = await runCli(['session', 'list'], clusterEnv('bad', { TEMPORAL_ADDRESS: '127.0.0.1:1' }));
    expectOneLineError(
      result,
      /^council: cannot reach Temporal at 127\.0\.0\.1:1: .*\(check TEMPORAL_ADDRESS/,
    );
  });

  it('a cluster with no worker on the task queue, and no --worker', async () => {
    const id = `cli-bad-noworker-${process.pid}`;
    const result = await runCli(['run', 'Q?', '--id', id], clusterEnv('bad-noworker'));
    expectOneLineError(
      result,
      /no worker polls task queue "test-bad-noworker-\S+" on 127\.0\.0\.1:\d+ \(start one with `council worker`/,
    );
    await expect(client.workflow.getHandle(id).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('an --id that cannot name a run: empty, too long, or with a space or sign, before anything is announced', async () => {
    const file = writeConfig('ids.yaml', panelConfig());
    const started = ['-c', file, '--worker'];
    const cases: Array<[string[], RegExp]> = [
      [['run', 'Q?', '--id', '', ...started], /^council: --id is empty \(use letters, digits/],
      [
        ['run', 'Q?', '--id', 'i'.repeat(993), ...started],
        /^council: --id is 993 bytes long, over the 992 a run's id may have/,
      ],
      [['run', 'Q?', '--id', 'a b/c', ...started], /^council: --id "a b\/c" holds a space or a sign/],
      [['session', 'start', '--id', '', ...started], /^council: --id is empty/],
      [
        ['run', 'Q?', '--id=-x', ...started],
        /^council: --id "-x" begins with a dash, which a command reads as a flag/,
      ],
      [['resynthesize', 'some-council', '--id', 'x;rm'], /^council: --id "x;rm" holds a space or a sign/],
      [
        ['schedule', 'create', '../x y', '-c', file, '--every', '1h'],
        /^council: the schedule id "\.\.\/x y" holds a space or a sign/,
      ],
      // Its runs are <id>-<time>: 21 bytes more, which the server refused with INVALID_ARGUMENT.
      [
        ['schedule', 'create', 's'.repeat(972), '-c', file, '--every', '1h'],
        /^council: the schedule id is 972 bytes long, over the 971 a schedule's id \(its runs are <id>-<time>\) may have/,
      ],
    ];
    await expectRefusedUnannounced(cases);
    await expect(client.workflow.getHandle('a b/c').describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('a question or a task queue the run could not use, before anything is announced', async () => {
    const blank = writeConfig('blank.yaml', { ...panelConfig(), question: '   ' });
    const file = writeConfig('queues.yaml', panelConfig());
    const cases: Array<[string[], RegExp]> = [
      [['run', '-c', blank, '--worker'], /^council: .*blank\.yaml:\d+: question: the message is empty/],
      [['run', 'Q?', '-c', file, '--worker', '--task-queue', ''], /^council: --task-queue is empty/],
      [
        ['run', 'Q?', '-c', file, '--worker', '--task-queue', 'q'.repeat(2000)],
        /^council: --task-queue is 2000 bytes long, over the 990 a task queue's name may have/,
      ],
      // A session config names its question "question": "task" is refused in one.
      [
        ['schedule', 'create', 'no-task', '-c', file, '--every', '1h'],
        /^council: no task: pass one after the schedule id, or set "question" in the config/,
      ],
    ];
    await expectRefusedUnannounced(cases);
  });

  it('a number or a duration no one could mean: hex dollars, ages and intervals past any calendar', async () => {
    const file = writeConfig('numbers.yaml', panelConfig());
    const cases: Array<[string[], RegExp]> = [
      [
        ['budget', 'raise', 'some-session', '--by-usd', '0x10'],
        /^council: --by-usd "0x10" is not a positive number in decimal notation, e.g. 0\.5/,
      ],
      [
        ['budget', 'raise', 'some-session', '--by-usd', '1e300'],
        /^council: --by-usd "1e300" is not a positive number in decimal notation/,
      ],
      [
        ['server', '--port', 'abc'],
        /^council: --port "abc" is not a port: give a whole number from 1 to 65535/,
      ],
      [['server', '--ui-port', '99999'], /^council: --ui-port "99999" is not a port/],
      [
        ['gc', '--older-than', '99999999999999999999d'],
        /^council: --older-than 99999999999999999999d: expected an age from 1h to 36500d/,
      ],
      [
        ['schedule', 'create', 'far-apart', 'Q?', '-c', file, '--every', '99999999999999d'],
        /^council: --every must be from 1s to 3650d/,
      ],
      // The server's words alone ("Minute is not in range [0-59]") named neither the flag nor the fix.
      [
        ['schedule', 'create', 'bad-cron', 'Q?', '-c', file, '--cron', '61 * * * *'],
        /^council: --cron "61 \* \* \* \*" is not a schedule Temporal takes: Minute is not in range \[0-59\] \(five fields: minute hour day-of-month month day-of-week, in UTC, e\.g\. "0 9 \* \* 1-5"\)/,
      ],
      // The library's words ("invalid run filter: limit: Too big") did not name the flag.
      [['list', '--limit', '5000'], /^council: --limit takes a whole number from 1 to 1000\n/],
    ];
    await expectRefusedUnannounced(cases);
  });

  it('a data directory that is a file, and --mode for a session start', async () => {
    const file = writeConfig('not-a-dir.yaml', panelConfig());
    expectOneLineError(
      await runCli(['list', '--data-dir', file], cliEnv()),
      /^council: cannot use .*not-a-dir\.yaml as the data directory: .*not-a-dir\.yaml is a file, not a directory/,
    );
    const help = await runCli(['session', 'start', '--help'], cliEnv());
    expect(help.stdout).toContain('--strategy');
    expect(help.stdout).not.toContain('--mode');
    // `--version` was an unknown option.
    const version = await runCli(['--version'], cliEnv());
    expect(version).toMatchObject({ code: 0, stdout: `${packageVersion}\n` });
  });

  it('no question, and prints the stack trace only with --verbose', async () => {
    const noQuestion = writeConfig('q.yaml', panelConfig());
    expectOneLineError(
      await runCli(['run', '-c', noQuestion, '--worker'], clusterEnv('bad')),
      /council: no question: pass one/,
    );
    const verbose = await runCli(['--verbose', 'run', '-c', noQuestion, '--worker'], clusterEnv('bad'));
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });
});
