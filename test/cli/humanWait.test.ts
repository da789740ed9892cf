import { parseRunEvent } from '../../client/cli/eventSchemas';
import { useParticipantMock } from '../helpers/mockLlm';
import {
  clusterEnv,
  expectSuccess,
  mockProviderEnv,
  runCli,
  startCli,
  stopStartedClis,
  waitFor,
  writeConfig,
} from './cli';

// Every case spawns the CLI (and a worker): minutes on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

const MESSAGE = 'Keep it under $500 a month.';

/** A council that waits for a person after its round; messaging off, so no expert routes messages. */
function waitingCouncil() {
  const model = { provider: 'openai', model: 'gpt-4o-mini' };
  return {
    kind: 'council',
    mode: 'parallel',
    task: 'Pick a hosting plan.',
    awaitHumanBetweenRounds: { timeoutMs: 120_000 },
    activeExperts: [
      { id: 'ops', name: 'Ops', model },
      { id: 'cost', name: 'Cost', model },
    ],
    synthesisConfig: { name: 'Synthesizer', model },
  };
}

describe('a council waiting for a person', () => {
  const llm = useParticipantMock();

  it('shows the wait with the time left, prints the person’s message where it came, and `show` prints it too', async () => {
    const env = clusterEnv('human-wait', mockProviderEnv(llm.mock));
    const id = `cli-human-wait-${process.pid}`;
    const config = writeConfig('waiting.yaml', waitingCouncil());
    const run = startCli(['run', '-c', config, '--id', id, '--worker'], env);
    await waitFor('the wait to show', () => /waiting for a person, \d+ s left/.test(run.output.stdout), {
      process: run,
    });
    expect(run.output.stdout).toMatch(
      /People: waiting for a person, (?:1[01]\d|120) s left \(send one: council send/,
    );

    const send = await runCli(['session', 'send', id, MESSAGE, '--worker'], env);
    expectSuccess(send);
    const result = await run.done;
    expectSuccess(result);
    // The message sits after the experts' answers and before the synthesis, where it happened.
    expect(result.stdout).toMatch(
      new RegExp(
        `Ops: answer[\\s\\S]*Human \\(person, to everyone\\)\\n${MESSAGE.replace('$', '\\$')}[\\s\\S]*── Synthesis ──`,
      ),
    );

    const show = await runCli(['session', 'show', id, '--worker'], env);
    expectSuccess(show);
    expect(show.stdout).toContain(`Human (person, to everyone, after round 1)\n${MESSAGE}`);
    const json = await runCli(['session', 'show', id, '--worker', '--json'], env);
    expectSuccess(json);
    expect(json.stdout).toContain(MESSAGE);
  });

  it('`run --events` says a person is awaited (until when, how to answer) and how the wait ended', async () => {
    const env = clusterEnv('human-wait-events', mockProviderEnv(llm.mock));
    const id = `cli-human-wait-events-${process.pid}`;
    const config = writeConfig('waiting-events.yaml', waitingCouncil());
    const run = startCli(['run', '-c', config, '--id', id, '--worker', '--events'], env);
    const events = () =>
      run.output.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => parseRunEvent(JSON.parse(line)));
    await waitFor('the wait event', () => events().some((event) => event.type === 'person'), {
      process: run,
    });
    const waiting = events().find((event) => event.type === 'person');
    expect(waiting).toMatchObject({
      name: 'People',
      role: 'between rounds',
      state: 'waiting',
      send: `council send ${id} "…"`,
    });
    const untilMs = Date.parse((waiting as { until: string }).until);
    expect(untilMs - Date.now()).toBeGreaterThan(60_000);

    expectSuccess(await runCli(['send', id, MESSAGE, '--worker'], env));
    expectSuccess(await run.done);
    const ended = events().filter((event) => event.type === 'person');
    expect(ended).toHaveLength(2);
    expect(ended[1]).toMatchObject({ name: 'People', state: 'ended', outcome: 'a person wrote: going on' });
    expect(events().at(-1)).toMatchObject({ type: 'result', status: 'ok' });
  });
});
