import { readdirSync } from 'node:fs';
import path from 'node:path';
import { COUNCIL_MODES } from '../../common/council';
import { ORCHESTRATION_STRATEGIES } from '../../common/participants';
import { configShape, loadConfigFile } from '../../client/api/config';
import { leadOf, splitByRole } from '../../workflows/strategies/roles';
import { clusterEnv, runCli, stopStartedClis } from './cli';

const EXAMPLES = path.resolve(__dirname, '../../examples');
const configs = readdirSync(EXAMPLES)
  .filter((file) => /\.(ya?ml|json)$/.test(file) && file !== 'council.schema.json')
  .sort();

// Every case spawns the CLI (and often a worker): minutes on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

describe('examples/', () => {
  it('hold a config for every strategy and every mode', () => {
    const shapes = new Set(configs.map((file) => configShape(loadConfigFile(path.join(EXAMPLES, file)))));
    for (const shape of [...ORCHESTRATION_STRATEGIES, ...COUNCIL_MODES]) expect(shapes).toContain(shape);
  });

  it.each(configs)('%s runs to the end (simulated) with every participant answering', async (file) => {
    const env = clusterEnv(`example-${path.parse(file).name}`);
    const result = await runCli(['run', '--config', path.join('examples', file), '--worker', '--json'], env);
    expect(result.stderr).toContain('SIMULATED participants');
    // The whole stderr on failure: it says why the run did not finish.
    expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({
      code: 0,
      stderr: '',
    });
    const json = JSON.parse(result.stdout) as {
      id: string;
      simulated: boolean;
      status: string;
      responses: Array<{ name: string; role: string; status: string; content: string; kind?: string }>;
    };
    expect(json).toMatchObject({ simulated: true, status: 'ok' });
    const config = loadConfigFile(path.join(EXAMPLES, file));
    // Observers listen and never answer; every other participant (or expert, plus the synthesizer)
    // does, and a lead once more (moderatorLed's synthesis, hierarchical's assignment).
    const main = config.kind === 'session' ? splitByRole(config.session.participants).main : [];
    const lead = config.kind === 'session' ? leadOf(config.session.strategy, main) : undefined;
    const expected =
      config.kind === 'session'
        ? [
            ...config.session.participants.filter((p) => p.role !== 'observer').map((p) => p.name),
            ...(lead ? [lead.name] : []),
          ]
        : [
            ...config.context.activeExperts.map((e) => e.name),
            config.context.synthesisConfig.name ?? 'Synthesizer',
          ];
    expect(json.responses.map((r) => r.name).sort()).toEqual([...expected].sort());
    // An assignment is lines "Name: task", one per worker.
    for (const response of json.responses)
      expect(response.content).toMatch(response.kind === 'assignment' ? /^[^:\n]+: on "/ : /^\(simulated\) /);
    // `show` labels a lead's calls as `run` did (an assignment, a synthesis).
    const kinds = json.responses.filter((response) => response.kind !== undefined);
    if (config.kind === 'session' && kinds.length > 0) {
      const shown = await runCli(['show', json.id, '--worker'], env);
      for (const { name, role, kind } of kinds) expect(shown.stdout).toContain(`${name} (${role}, ${kind})`);
    }
  });

  it('converging-debate.yaml --json says the debate stopped at consensus in round 2 of 4', async () => {
    const result = await runCli(
      ['run', '--config', path.join('examples', 'converging-debate.yaml'), '--worker', '--json'],
      clusterEnv('example-converging-debate-json'),
    );
    const json = JSON.parse(result.stdout) as { rounds: number; convergence?: unknown };
    // Round 1's positions and critiques, round 2's positions (the simulated experts agree there).
    expect(json.rounds).toBe(3);
    expect(json.convergence).toMatchObject({
      stopReason: 'consensus',
      debateRounds: 2,
      roundsSkipped: 2,
      agreement: 1,
      position: 'a staged, reversible adoption',
    });
  });
});
