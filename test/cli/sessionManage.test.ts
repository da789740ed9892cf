import { modelOfFlag } from '../../client/cli/participantFlags';
import { CouncilUserError } from '../../common/userError';
import { useParticipantMock } from '../helpers/mockLlm';
import {
  clusterEnv,
  expectSuccess,
  mockProviderEnv,
  panelConfig,
  runCli,
  startCli,
  stopStartedClis,
  waitFor,
  writeConfig,
} from './cli';

// Each step spawns the CLI with a worker of its own: minutes on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

describe('--model provider:model', () => {
  it('splits at the first colon: a model id may hold colons', () => {
    expect(modelOfFlag('openai-compatible:llama3:8b', 'http://localhost:11434/v1')).toEqual({
      provider: 'openai-compatible',
      model: 'llama3:8b',
      baseURL: 'http://localhost:11434/v1',
    });
  });

  it.each([
    ['openai:', /--model "openai:": model: model must name a model/],
    [
      'openai-compatible:llama3',
      /--model "openai-compatible:llama3": baseURL: provider "openai-compatible" needs a baseURL/,
    ],
  ])('refuses %s before anything starts: %s', (flag, message) => {
    expect(() => modelOfFlag(flag, undefined)).toThrow(message);
  });

  it.each(['gpt-4o', 'azure:gpt-4o', ':gpt-4o'])('refuses %s, naming the form and the providers', (flag) => {
    expect(() => modelOfFlag(flag, undefined)).toThrow(CouncilUserError);
    expect(() => modelOfFlag(flag, undefined)).toThrow(/names no provider council knows/);
  });
});

// The seed's add_participant, remove_participant, set_participant_role and set_orchestration_strategy
// were the library's only: a session started from the command line could not change who takes part.
describe('council session add|remove|role|strategy', () => {
  const llm = useParticipantMock();

  it("change a running session's participants and strategy; the next round follows them", async () => {
    const env = clusterEnv('session-manage', mockProviderEnv(llm.mock));
    const id = `cli-manage-${process.pid}`;
    const config = writeConfig('manage.yaml', panelConfig());
    expectSuccess(await runCli(['session', 'start', '-c', config, '--id', id, '--worker'], env));
    const steps: Array<[string[], string]> = [
      [
        ['add', id, 'Expert-3', '--model', 'openai:gpt-4o-mini'],
        `Added Expert-3 (panelist, openai:gpt-4o-mini) to session ${id}`,
      ],
      [['role', id, 'Expert-1', 'observer'], `Expert-1 is now observer in session ${id}`],
      [['remove', id, 'Expert-2'], `Removed Expert-2 from session ${id}`],
      [['strategy', id, 'roundRobin'], `Session ${id} now plays roundRobin`],
    ];
    for (const [args, said] of steps) {
      const result = await runCli(['session', ...args, '--worker'], env);
      expectSuccess(result);
      expect(result.stdout.trim()).toBe(said);
    }
    const round = await runCli(['send', id, 'Who answers now?', '--worker', '--json'], env);
    expectSuccess(round);
    const sent = JSON.parse(round.stdout) as { strategy: string; responses: Array<{ name: string }> };
    expect(sent.strategy).toBe('roundRobin');
    expect(sent.responses.map((r) => r.name)).toEqual(['Expert-3']);

    const refused: Array<[string[], RegExp]> = [
      [['add', id, 'Expert-4', '--model', 'gpt-4o'], /--model "gpt-4o" names no provider council knows/],
      [
        ['add', id, 'Expert-4', '--model', 'openai:gpt-4o', '--priority', 'high'],
        /--priority "high" is no whole number/,
      ],
      [
        ['add', id, 'Expert-3', '--model', 'openai:gpt-4o'],
        /a participant named "Expert-3" is already in the session/,
      ],
      [['remove', id, 'Nobody'], /no participant named "Nobody" in this session/],
      [['role', id, 'Expert-1', 'chair'], /'chair' is invalid for argument 'role'/],
      [['strategy', id, 'chaos'], /'chaos' is invalid for argument 'strategy'/],
    ];
    for (const [args, message] of refused) {
      const result = await runCli(['session', ...args, '--worker'], env);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(message);
    }
    expectSuccess(await runCli(['cancel', id, '--worker'], env));
    const closed = await runCli(['session', 'remove', id, 'Expert-3', '--worker'], env);
    expect(closed.code).not.toBe(0);
    expect(closed.stderr).toMatch(/start a new session/);
  });
});

// A send queued behind another round printed nothing until its round began: it looked hung, and a
// person who stopped it and sent again had two rounds played.
describe('council send behind a round in play', () => {
  // Each answer takes 12 s: the second send's CLI starts and reads the session while the first round plays.
  const llm = useParticipantMock(12_000);

  it('says that its message waits for the round being played', async () => {
    const { mock } = llm;
    const env = clusterEnv('session-queued', mockProviderEnv(mock));
    const id = `cli-queued-${process.pid}`;
    const config = writeConfig('queued.yaml', panelConfig());
    expectSuccess(await runCli(['session', 'start', '-c', config, '--id', id, '--worker'], env));
    const first = startCli(['send', id, 'First?', '--worker'], env);
    await waitFor('the first round to be played', () => first.output.stdout.includes('Expert-2: thinking'), {
      timeoutMs: 60_000,
    });
    const second = await runCli(['send', id, 'Second?', '--worker'], env);
    expectSuccess(second);
    expect(second.stdout).toContain(
      `Round 1 of session ${id} is being played: this message waits for it (and any sent before it), then is played.`,
    );
    expectSuccess(await first.done);
    expect(first.output.stdout).not.toContain('is being played');
  });
});
