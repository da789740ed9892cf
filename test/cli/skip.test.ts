import type { LLMock } from '@copilotkit/aimock';
import { Client, Connection } from '@temporalio/client';
import type { CouncilWorkflowResult } from '../../common/council';
import { startMockLlm } from '../helpers/mockLlm';
import {
  clusterEnv,
  councilConfig,
  holdAnswers,
  mockProviderEnv,
  panelConfig,
  runCli,
  startCli,
  stopStartedClis,
  TEST_ENV,
  waitFor,
  writeConfig,
} from './cli';

// Every case spawns the CLI: minutes on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

describe('council skip', () => {
  let mock: LLMock;
  let client: Client;

  beforeAll(async () => {
    mock = await startMockLlm();
    client = new Client({ connection: await Connection.connect({ address: TEST_ENV.address }) });
  });
  // Each case holds the answers with a handler of its own.
  afterEach(() => mock.clearFixtures());
  afterAll(async () => {
    await client?.connection.close();
    await mock?.stop();
  });

  it("skips a council expert's call in flight by its id; a second skip and a closed council are refused", async () => {
    const held = holdAnswers(mock);
    const env = clusterEnv('skip-council', mockProviderEnv(mock));
    const config = writeConfig('council.json', councilConfig());
    const id = `skip-council-${process.pid}`;
    const run = startCli(['run', '-c', config, '--id', id, '--worker'], env);
    await waitFor(
      'both experts to be in their calls',
      () => held.seen.includes('Ada') && held.seen.includes('Bob'),
    );

    const skip = await runCli(['skip', id, 'b', '--worker'], env);
    expect(skip).toMatchObject({
      code: 0,
      stdout: `Skipped expert b in round 1 of council ${id}: its call cancelled\n`,
    });
    const again = await runCli(['skip', id, 'b', '--worker'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('expert "b" has no call in flight');
    held.open();
    const ran = await run.done;
    expect(ran.stdout).toContain('Bob');
    expect(ran.stdout).toMatch(/\] Bob: skipped by a person\n/);
    expect(ran.stdout).not.toMatch(/skipped: skipped|Skipped: /);
    const result = (await client.workflow.getHandle(id).result()) as CouncilWorkflowResult;
    expect(result.outputs.b).toMatchObject({ status: 'skipped', content: '' });
    expect(await runCli(['skip', id, 'b', '--worker'], env)).toMatchObject({
      code: 1,
      stderr: `council: council "${id}" is closed (completed) (it has no call to skip: see \`council show ${id}\`)\n`,
    });
  });

  it("skips a session participant's call by name: the run says it was skipped by a person, once", async () => {
    const held = holdAnswers(mock);
    const env = clusterEnv('skip-session', mockProviderEnv(mock));
    const config = writeConfig('panel.json', panelConfig());
    const id = `skip-session-${process.pid}`;
    const run = startCli(['run', 'Pick a database.', '-c', config, '--id', id, '--worker'], env);
    await waitFor(
      'both participants to be in their calls',
      () => held.seen.includes('Expert-1') && held.seen.includes('Expert-2'),
    );

    expect(await runCli(['skip', id, 'Expert-2', '--worker'], env)).toMatchObject({
      code: 0,
      stdout: `Skipped Expert-2 in session ${id}: its call was cancelled\n`,
    });
    held.open();
    const ran = await run.done;
    expect(ran.stdout).toMatch(/\] Expert-2: skipped by a person\n/);
    expect(ran.stdout).toContain('\nExpert-2 skipped by a person\n');
    expect(ran.stdout).not.toMatch(/Skipped: |was skipped/);
  });
});
