import type { LLMock } from '@copilotkit/aimock';
import { parseRunEvent, type RunEvent } from '../../client/cli/eventSchemas';
import { eventsRenderer } from '../../client/cli/events';
import { JSON_SCHEMA_VERSION } from '../../client/cli/jsonOutput';
import { answerAsParticipants, startMockLlm } from '../helpers/mockLlm';
import {
  clusterEnv,
  expectSuccess,
  mockProviderEnv,
  panelConfig,
  runCli,
  stopStartedClis,
  writeConfig,
  type CliResult,
  councilConfig,
} from './cli';

// Every case spawns the CLI (and a worker): minutes on a busy 2-core machine.
jest.setTimeout(600_000);
afterAll(stopStartedClis);

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Every stdout line, each checked against the event shape its `type` names. */
function eventsOf(result: CliResult) {
  expectSuccess(result);
  const lines = result.stdout.split('\n').filter((line) => line !== '');
  expect(lines.length).toBeGreaterThan(2);
  return lines.map((line) => {
    const event = parseRunEvent(JSON.parse(line));
    expect(event.schemaVersion).toBe(JSON_SCHEMA_VERSION);
    expect(event.at).toMatch(RFC3339_UTC);
    return event;
  });
}

/**
 * What an answer is, whether in an `answer` event or in the result's `responses`. Not its role: a
 * council's answer events name the round (`round 1`), its result the part (`expert`).
 */
const answerOf = (row: { name: string; status: string; content: string; tokenUsage: object }) => ({
  name: row.name,
  status: row.status,
  content: row.content,
  tokenUsage: row.tokenUsage,
});

const byName = <T extends { name: string }>(rows: T[]): T[] =>
  [...rows].sort((a, b) => a.name.localeCompare(b.name));

describe('council run --events', () => {
  let mock: LLMock;

  beforeAll(async () => {
    mock = await startMockLlm();
    // Slow answers, so the run's events interleave; a call that ends between two polls is still seen
    // thinking first (the session's progress log: test/client/roundWatch.test.ts).
    answerAsParticipants(mock, 1500);
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('a session and a council: one event per line, started → thinking → answers → result', async () => {
    const env = clusterEnv('events', mockProviderEnv(mock));
    const panel = writeConfig('panel.yaml', panelConfig());
    const model = { provider: 'openai', model: 'gpt-4o-mini' };
    const council = writeConfig('council.yaml', councilConfig({ synthesisConfig: { name: 'Chair', model } }));
    const tag = `${process.pid}`;
    const [session, councilRun] = await Promise.all([
      runCli(['run', 'Which one?', '-c', panel, '--worker', '--events', '--id', `events-run-${tag}`], env),
      runCli(['run', '-c', council, '--worker', '--events', '--id', `events-council-${tag}`], env),
    ]);

    const events = eventsOf(session);
    const types = events.map((event) => event.type);
    expect(types[0]).toBe('started');
    expect(types.at(-1)).toBe('result');
    expect(types.filter((type) => type === 'started' || type === 'result')).toHaveLength(2);
    expect(events[0]).toMatchObject({ id: `events-run-${tag}`, kind: 'session', strategy: 'broadcast' });
    // A participant thinks before it answers.
    for (const name of ['Expert-1', 'Expert-2']) {
      const thinking = events.findIndex((event) => event.type === 'thinking' && event.name === name);
      const answer = events.findIndex((event) => event.type === 'answer' && event.name === name);
      expect(thinking).toBeGreaterThan(0);
      expect(answer).toBeGreaterThan(thinking);
    }
    const result = events.at(-1);
    if (result?.type !== 'result') throw new Error('no result event');
    expect(result).toMatchObject({ kind: 'session', status: 'ok', exitCode: 0 });
    const answers = events.flatMap((event) => (event.type === 'answer' ? [answerOf(event)] : []));
    // Answers are written as they come, which varies; the result lists them in the config's order.
    expect(byName(answers)).toEqual(byName(result.responses.map(answerOf)));
    // A session's answer event is its row of the result, every field (docs/json.md): the worker too.
    const rows = events.flatMap((event) => {
      if (event.type !== 'answer') return [];
      const row: Partial<typeof event> = { ...event };
      delete row.type;
      delete row.schemaVersion;
      delete row.at;
      return [row as Omit<typeof event, 'type' | 'schemaVersion' | 'at'>];
    });
    expect(byName(rows)).toEqual(byName(result.responses));
    expect(rows.every((row) => row.servedBy !== undefined)).toBe(true);
    // The banners went to stderr: stdout is events only.
    expect(session.stderr).toContain(`Starting session events-run-${tag}`);

    const councilEvents = eventsOf(councilRun);
    const councilTypes = councilEvents.map((event) => event.type);
    expect(councilTypes[0]).toBe('started');
    expect(councilEvents[0]).toMatchObject({
      kind: 'council',
      mode: 'parallel',
      question: 'Pick a database.',
    });
    expect(councilTypes.slice(-2)).toEqual(['synthesis', 'result']);
    const councilResult = councilEvents.at(-1);
    if (councilResult?.type !== 'result') throw new Error('no result event');
    expect(councilResult).toMatchObject({ kind: 'council', status: 'ok', exitCode: 0 });
    const shown = councilEvents.flatMap((event) =>
      event.type === 'answer' || event.type === 'synthesis' ? [answerOf(event)] : [],
    );
    expect(byName(shown)).toEqual(byName(councilResult.responses.map(answerOf)));
    expect(councilEvents.at(-2)).toMatchObject({ name: 'Chair', role: 'synthesizer', status: 'ok' });
    // The synthesizer thinks under its own name, as its answer comes: a reader pairs the two by name.
    const synthesizerLines = councilEvents.filter((event) => 'role' in event && event.role === 'synthesizer');
    expect(synthesizerLines.map((event) => [event.type, 'name' in event && event.name])).toEqual([
      ['thinking', 'Chair'],
      ['synthesis', 'Chair'],
    ]);
  });

  it('--events with --json is refused in one line', async () => {
    const result = await runCli(['run', 'Which one?', '--events', '--json'], clusterEnv('events-json'));
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--events and --json cannot be used together');
    // The stream says how it ended: one `error` event, the line on stderr.
    const [event, ...more] = result.stdout.trim().split('\n');
    expect(more).toEqual([]);
    expect(parseRunEvent(JSON.parse(event ?? ''))).toMatchObject({
      type: 'error',
      message: expect.stringContaining('--events and --json cannot be used together'),
      exitCode: 1,
    });
  });

  // Commander's own refusals (a bad value, an unknown flag) left stdout empty: a pipeline reading
  // the stream could not tell how it ended.
  it('a flag commander refuses ends the stream with an error event too', async () => {
    for (const flags of [['--strategy', 'bogus'], ['--bogus-flag']]) {
      const result = await runCli(['run', 'Which one?', '--events', ...flags], clusterEnv('events-flag'));
      expect(result.code).toBe(1);
      const [event, ...more] = result.stdout.trim().split('\n');
      expect(more).toEqual([]);
      expect(parseRunEvent(JSON.parse(event ?? ''))).toMatchObject({
        type: 'error',
        message: expect.stringContaining(
          flags[0] === '--bogus-flag' ? "unknown option '--bogus-flag'" : "'bogus' is invalid",
        ),
        exitCode: 1,
      });
    }
  });

  // Any `--events` in the arguments made a failure write an event to stdout: a question after `--`,
  // or a command that has no such flag, whose output is text.
  it('no error event where no events stream was asked for', async () => {
    for (const args of [
      ['run', '--strategy', 'bogus', '--', '--events'],
      ['show', 'no-such-run', '--events'],
    ]) {
      const result = await runCli(args, clusterEnv('events-none'));
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
    }
  });

  it('a round its session refuses ends the stream with an error event after started', async () => {
    const model = { provider: 'openai-compatible', model: 'local', baseURL: 'http://127.0.0.1:9/v1' };
    const config = writeConfig('refused.yaml', {
      strategy: 'broadcast',
      participants: [{ name: 'Eve', role: 'panelist', model }],
    });
    const result = await runCli(
      ['run', 'Hello?', '-c', config, '--worker', '--events'],
      clusterEnv('events-error'),
    );
    expect(result.code).toBe(1);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => parseRunEvent(JSON.parse(line)));
    expect(events[0]).toMatchObject({ type: 'started' });
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      message: expect.stringContaining(
        'provider policy: this worker calls no keyless server at http://127.0.0.1:9',
      ),
      exitCode: 1,
    });
  });
});

describe('the events renderer', () => {
  it('writes a state change once: thinking, each retry attempt with its reason, a failure once known', () => {
    const events: RunEvent[] = [];
    const renderer = eventsRenderer((event) => events.push(event));
    const line = (state: Parameters<typeof renderer.update>[0][number]['state']) => [
      { name: 'Ada', role: 'panelist', state },
    ];
    renderer.update(line({ kind: 'waiting' }));
    renderer.update(line({ kind: 'thinking', sinceMs: 1 }));
    renderer.update(line({ kind: 'thinking', sinceMs: 1 }));
    renderer.update(line({ kind: 'retrying', attempt: 2, maxAttempts: 3, reason: 'rate limited' }));
    renderer.update(line({ kind: 'retrying', attempt: 2, maxAttempts: 3, reason: 'rate limited' }));
    renderer.update(line({ kind: 'retrying', attempt: 3, reason: 'rate limited' }));
    renderer.update(line({ kind: 'failed', reason: '' }));
    renderer.update(line({ kind: 'failed', reason: 'RateLimited: too many' }));
    expect(events).toEqual([
      { type: 'thinking', name: 'Ada', role: 'panelist' },
      { type: 'retrying', name: 'Ada', role: 'panelist', attempt: 2, maxAttempts: 3, reason: 'rate limited' },
      { type: 'retrying', name: 'Ada', role: 'panelist', attempt: 3, reason: 'rate limited' },
      { type: 'failed', name: 'Ada', role: 'panelist', reason: 'RateLimited: too many' },
    ]);
    for (const event of events) {
      expect(() =>
        parseRunEvent({ schemaVersion: JSON_SCHEMA_VERSION, at: '2026-12-03T05:00:00.000Z', ...event }),
      ).not.toThrow();
    }
  });
  it('a wait for a budget decision is an event, and so is how it ended: resumed or stopped', () => {
    const events: RunEvent[] = [];
    const renderer = eventsRenderer((event) => events.push(event));
    const untilMs = Date.parse('2026-12-03T06:00:00.000Z');
    const budget = { kind: 'budget', untilMs, id: 's-1' } as const;
    const lines = (b: Parameters<typeof renderer.update>[0][number]['state']) => [
      { name: 'Ada', role: 'panelist', state: budget },
      { name: 'Bob', role: 'panelist', state: b },
    ];
    renderer.update(lines({ kind: 'thinking', sinceMs: 1 }));
    renderer.update(lines(budget));
    renderer.update(lines(budget));
    // Ada's wait ends in a raise (she thinks again); Bob's in `budget stop` (his call is refused).
    renderer.update([
      { name: 'Ada', role: 'panelist', state: { kind: 'thinking', sinceMs: 2 } },
      { name: 'Bob', role: 'panelist', state: { kind: 'skipped', reason: 'BudgetExhausted: refused' } },
    ]);
    const waiting = {
      type: 'budget',
      role: 'panelist',
      state: 'waiting',
      until: '2026-12-03T06:00:00.000Z',
      raise: 'council budget raise s-1 --by-usd N (or --by-tokens N)',
      stop: 'council budget stop s-1',
    };
    expect(events).toEqual([
      { ...waiting, name: 'Ada' },
      { type: 'thinking', name: 'Bob', role: 'panelist' },
      { ...waiting, name: 'Bob' },
      { type: 'budget', name: 'Ada', role: 'panelist', state: 'resumed' },
      { type: 'thinking', name: 'Ada', role: 'panelist' },
      { type: 'budget', name: 'Bob', role: 'panelist', state: 'stopped', reason: 'BudgetExhausted: refused' },
    ]);
    for (const event of events) {
      expect(() =>
        parseRunEvent({ schemaVersion: JSON_SCHEMA_VERSION, at: '2026-12-03T05:00:00.000Z', ...event }),
      ).not.toThrow();
    }
  });
});
