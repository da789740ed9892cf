import { cliEnv, councilConfig, runCli, startCli, stopStartedClis, waitFor, writeConfig } from './cli';

// A council cancelled mid-debate keeps the messages its experts wrote: `show` printed only "cancelled,
// no result", and the run and `attach` ended on the SDK's "Workflow execution cancelled".
jest.setTimeout(240_000);
afterAll(stopStartedClis);

describe('a council cancelled mid-debate', () => {
  it('run and attach say so in one line; show prints the messages it recorded', async () => {
    const env = cliEnv();
    const model = { provider: 'openai', model: 'gpt-4o-mini' };
    // The most rounds a debate takes, of two experts: over ten seconds of simulated answers, still
    // going when the cancel (another CLI process, seconds to start on a loaded machine) reaches it.
    const config = writeConfig(
      'debate.json',
      councilConfig({
        mode: 'adversarial',
        debateStyle: 'turns',
        debateRounds: 20,
        activeExperts: [
          { id: 'a', name: 'Ada', model },
          { id: 'b', name: 'Bob', model },
        ],
      }),
    );
    const id = `cancelled-${Date.now()}`;
    const run = startCli(['run', '-c', config, '--id', id], env);
    await waitFor('a first answer', () => run.output.stdout.includes('Bob: done'), { process: run });
    const cancel = await runCli(['cancel', id], env);
    expect(cancel).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(`Cancelled council ${id}`) as string,
    });

    const ended = await run.done;
    const oneLine = `council: council ${id} was cancelled before its synthesis`;
    expect(ended.code).toBe(1);
    expect(ended.stderr).toContain(oneLine);
    expect(ended.stderr).not.toContain('Workflow execution cancelled');

    const attached = await runCli(['attach', id], env);
    expect(attached.code).toBe(1);
    expect(attached.stderr).toContain(oneLine);
    expect(attached.stderr).not.toContain('Workflow execution cancelled');

    const shown = await runCli(['show', id], env);
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    expect(shown.stdout).toContain(`Council ${id}: cancelled`);
    // Each message under its round, sender, type and audience, as a completed council's are (it was
    // "Ada [response]" alone: a person's message lost to whom it went).
    expect(shown.stdout).toMatch(/── round 1 · Ada \(a\) \[response\] to everyone ──/);
    expect(shown.stdout).toMatch(/── round \d+ · Bob \(b\) \[\w+\] to everyone ──/);
    const json = JSON.parse((await runCli(['show', id, '--json'], env)).stdout) as {
      workflowStatus: string;
      messages?: Array<{ senderName: string }>;
    };
    expect(json.workflowStatus).toBe('cancelled');
    expect(json.messages?.map((message) => message.senderName)).toEqual(
      expect.arrayContaining(['Ada', 'Bob']),
    );
  });
});
