import { createEventsOutput } from '../../client/cli/events';
import { createOutput } from '../../client/cli/output';

/** What a command writes on stdout while `act` runs, one entry per write. */
function stdoutOf(act: () => void): string[] {
  const writes: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    writes.push(String(chunk));
    return true;
  });
  try {
    act();
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
  it('--events: an event after detached is not written', () => {
    const writes = stdoutOf(() => {
      const out = createEventsOutput();
      out.emit({ type: 'thinking', name: 'Expert-1', role: 'expert' });
      out.emit(detached);
      out.emit({ type: 'thinking', name: 'Expert-2', role: 'expert' });
    });
    expect(writes.map((line) => JSON.parse(line).type)).toEqual(['thinking', 'detached']);
  });

  it('--events: a result after detached is not written', () => {
    const writes = stdoutOf(() => {
      const out = createEventsOutput();
      out.emit(detached);
      out.result({ ...detached, type: 'council-result' } as never);
    });
    expect(writes.map((line) => JSON.parse(line).type)).toEqual(['detached']);
  });

  it('--json: a document after the detached one is not written', () => {
    const writes = stdoutOf(() => {
      const out = createOutput(true);
      out.result(detached);
      out.result({ ...detached, type: 'council-result' } as never);
    });
    expect(writes.map((text) => JSON.parse(text).type)).toEqual(['detached']);
  });
});
