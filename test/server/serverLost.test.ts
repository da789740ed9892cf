import {
  cliEnv,
  councilConfig,
  runCli,
  serverProcesses,
  startCli,
  startCouncilServer,
  stopStartedClis,
  waitFor,
  writeConfig,
} from '../cli/cli';

// A command on an embedded server (its own, or one borrowed from another process) whose server goes
// away cannot go on: the server comes back, if at all, on another port. It waited ten minutes for a
// restart that could not come, its worker logging thousands of connection errors meanwhile.
jest.setTimeout(180_000);

afterEach(stopStartedClis);

describe('a run whose server stops under it', () => {
  it('says so within seconds, names the way back, and the run goes on with attach', async () => {
    const env = cliEnv();
    const dataDir = env.COUNCIL_DATA_DIR ?? '';
    const server = await startCouncilServer(env);
    // Six rounds of three experts' turns: seconds of simulated answers, still going when the server dies.
    const config = writeConfig(
      'long-debate.json',
      councilConfig({
        mode: 'adversarial',
        debateStyle: 'turns',
        debateRounds: 6,
        activeExperts: [
          { id: 'a', name: 'Ada', model: { provider: 'openai', model: 'gpt-4o-mini' } },
          { id: 'b', name: 'Bob', model: { provider: 'openai', model: 'gpt-4o-mini' } },
          { id: 'c', name: 'Cy', model: { provider: 'openai', model: 'gpt-4o-mini' } },
        ],
      }),
    );
    const id = `lost-${Date.now()}`;
    const run = startCli(['run', '-c', config, '--id', id], env);
    await waitFor('the first answer', () => run.output.stdout.includes('Ada: done'), { process: run });

    server.child.kill('SIGKILL');
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      run.done,
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 20_000))),
    ]);
    clearTimeout(timer);
    if (!ended)
      throw new Error(`the run went on 20 s after its server stopped: ${JSON.stringify(run.output)}`);
    expect(ended.code).toBe(1);
    const said = ended.stderr;
    expect(said).toContain('has stopped');
    expect(said).toContain(`council attach ${id}`);
    // One line for the loss and what to do, nothing else.
    expect(said.trimEnd().split('\n')).toHaveLength(1);
    await waitFor('the server to exit', () => serverProcesses(dataDir).length === 0, { timeoutMs: 20_000 });

    const attached = await runCli(['attach', id], env);
    expect(attached.stderr).toBe('');
    expect(attached.code).toBe(0);
    expect(attached.stdout).toContain('Synthesizer');
  });
});
