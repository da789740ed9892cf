import type * as Events from '../../client/cli/events';
import type * as ExitCodes from '../../client/cli/exitCode';
import type * as Outputs from '../../client/cli/output';

type Cli = typeof Events & typeof Outputs & typeof ExitCodes;

/**
 * What a command writes on stdout while `act` runs, one entry per write. Each call loads the CLI's
 * modules afresh: whether the process has detached is the process's state, one per test here.
 */
async function stdoutOf(act: (cli: Cli) => void): Promise<string[]> {
  let cli: Cli | undefined;
  await jest.isolateModulesAsync(async () => {
    cli = {
      ...(await import('../../client/cli/events')),
      ...(await import('../../client/cli/output')),
      ...(await import('../../client/cli/exitCode')),
    };
  });
  const writes: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    writes.push(String(chunk));
    return true;
  });
  try {
    if (cli) act(cli);
  } finally {
    write.mockRestore();
  }
  return writes;
}

const detached = {
  type: 'detached',
  id: 'council-x',
  kind: 'council',
  signal: 'SIGINT',
  goesOn: 'The council goes on when a worker serves it',
  attach: 'council attach council-x',
  exitCode: 130,
} as const;

// Ctrl-C writes the detached event, then the process takes up to two seconds to close its worker and
// server: a watch still polling in that time must not write after it (CI saw `thinking` come last).
describe('the detached event or document is the last thing on stdout', () => {
  it('--events: an event after detached is not written', async () => {
    const writes = await stdoutOf((cli) => {
      const out = cli.createEventsOutput();
      out.emit({ type: 'thinking', name: 'Expert-1', role: 'expert' });
      out.emit(detached);
      out.emit({ type: 'thinking', name: 'Expert-2', role: 'expert' });
      // main's own `error` event, when the command fails as its connection closes, is not written either.
      cli.writeRunEvent({ type: 'error', message: 'connection closed', exitCode: 1 });
      expect(cli.detachedExitCode()).toBe(130);
    });
    expect(writes.map((line) => JSON.parse(line).type)).toEqual(['thinking', 'detached']);
  });

  it('--events: a result after detached is not written', async () => {
    const writes = await stdoutOf((cli) => {
      const out = cli.createEventsOutput();
      out.emit(detached);
      out.result({ ...detached, type: 'council-result' } as never);
    });
    expect(writes.map((line) => JSON.parse(line).type)).toEqual(['detached']);
  });

  it('--json: a document after the detached one is not written', async () => {
    const writes = await stdoutOf((cli) => {
      const out = cli.createOutput(true);
      out.result(detached);
      out.result({ ...detached, type: 'council-result' } as never);
    });
    expect(writes.map((text) => JSON.parse(text).type)).toEqual(['detached']);
  });
});
