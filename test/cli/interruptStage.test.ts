import type * as Interrupts from '../../client/cli/interrupt';
import type * as Outputs from '../../client/cli/output';
import type { CliRuntime } from '../../client/runtime/commandRuntime';

type Stage = Parameters<typeof Interrupts.onInterrupt>[4];

/**
 * What Ctrl-C writes on stdout for a run at `stage`, and the exit code it leaves with. The CLI's
 * modules load afresh for each: whether the process has detached is the process's state.
 */
async function interrupted(stage: Stage, json: boolean): Promise<{ said: string; exitCode?: number }> {
  let cli: (typeof Interrupts & typeof Outputs) | undefined;
  await jest.isolateModulesAsync(async () => {
    cli = { ...(await import('../../client/cli/interrupt')), ...(await import('../../client/cli/output')) };
  });
  if (!cli) throw new Error('the CLI modules did not load');
  const writes: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    writes.push(String(chunk));
    return true;
  });
  let exitCode: number | undefined;
  const exited = new Promise<void>((resolve) => {
    jest.spyOn(process, 'exit').mockImplementation((code) => {
      exitCode = Number(code);
      resolve();
      return undefined as never;
    });
  });
  const runtime = { close: async () => undefined } as unknown as CliRuntime;
  const detach = cli.onInterrupt(
    runtime,
    cli.createOutput(json),
    { id: 'run-1', kind: 'session' },
    cli.whatGoesOn('session', true),
    stage,
  );
  try {
    process.emit('SIGINT', 'SIGINT');
    await exited;
  } finally {
    detach();
    write.mockRestore();
    jest.restoreAllMocks();
  }
  return { said: writes.join(''), exitCode };
}

// Ctrl-C while the CLI still started its worker said "The run goes on … council attach ID" for a run
// that was never started: the user was told a question was kept that was lost.
describe('Ctrl-C says whether the run was started', () => {
  it('before the run is sent: nothing runs, and the command is to run again', async () => {
    const { said, exitCode } = await interrupted(() => 'unsent', false);
    expect(said).toBe('\nInterrupted before session run-1 started: nothing runs. Run the command again.\n');
    expect(exitCode).toBe(130);
    const json = JSON.parse((await interrupted(() => 'unsent', true)).said) as Record<string, unknown>;
    expect(json).toEqual({
      schemaVersion: 1,
      type: 'detached',
      id: 'run-1',
      kind: 'session',
      signal: 'SIGINT',
      started: false,
      goesOn: 'nothing: the run was not started',
      exitCode: 130,
    });
  });

  it('while its start is sent: it may have started, and show says', async () => {
    const { said } = await interrupted(() => 'sent', false);
    expect(said).toBe(
      '\nInterrupted while session run-1 was starting: `council show run-1` says whether it started. ' +
        'If it did, the run goes on when a worker serves it, and closes when its round ends: council attach run-1\n',
    );
  });

  it('once started: it goes on, as before', async () => {
    const { said } = await interrupted(() => 'started', false);
    expect(said).toBe(
      '\nInterrupted. The run goes on when a worker serves it, and closes when its round ends: council attach run-1\n',
    );
  });
});

// The embedded server stopping under a run that was never started said "the run goes on … council
// attach ID", as it did for one that was.
describe('a lost server says whether the run was started', () => {
  async function hint(stage: Stage): Promise<string> {
    const { onInterrupt, whatGoesOn } = await import('../../client/cli/interrupt');
    const { createOutput } = await import('../../client/cli/output');
    const runtime = { close: async () => undefined } as unknown as CliRuntime;
    const detach = onInterrupt(
      runtime,
      createOutput(false),
      { id: 'run-1', kind: 'session' },
      whatGoesOn('session', true),
      stage,
    );
    detach();
    return runtime.lostHint();
  }

  it('names what to do at each stage', async () => {
    expect(await hint(() => 'unsent')).toBe('session run-1 was not started: run the command again');
    expect(await hint(() => 'sent')).toBe(
      '`council show run-1` says whether session run-1 started; if it did, the run goes on when a worker ' +
        'serves it, and closes when its round ends: council attach run-1',
    );
    expect(await hint(() => 'started')).toBe(
      'the run goes on when a worker serves it, and closes when its round ends: council attach run-1',
    );
  });
});
