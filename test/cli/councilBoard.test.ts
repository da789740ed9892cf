import { Writable } from 'node:stream';
import { CouncilBoard } from '../../client/cli/councilBoard';
import { createRenderer } from '../../client/cli/progress';

/** A board over the plain renderer (no terminal), and the lines it wrote. */
function plainBoard(): { board: CouncilBoard; lines: () => string[] } {
  let written = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  const board = new CouncilBoard(createRenderer(stream, { answers: true }), 'council-x');
  return { board, lines: () => written.split('\n').filter((line) => line !== '') };
}

describe("the council board's waits for a person", () => {
  it('a wait read back from the log says the time it had then, not what is left of it now', () => {
    const { board, lines } = plainBoard();
    const at = new Date(Date.now() - 60 * 60_000);
    board.status('awaiting-human', { until: new Date(at.getTime() + 600_000), at });
    expect(lines().at(-1)).toContain('waiting for a person, 600 s left');
  });

  it('a council cancelled during a wait says so, not that no message came in time', () => {
    const { board, lines } = plainBoard();
    const at = new Date();
    board.status('awaiting-human', { until: new Date(at.getTime() + 600_000), at });
    board.status('cancelled', { at: new Date(at.getTime() + 4000) });
    expect(lines().at(-1)).toMatch(/People: the council was cancelled$/);
    expect(lines().join('\n')).not.toContain('no message in time');
  });

  it('a wait that ends with the next round says whether a person wrote', () => {
    const { board, lines } = plainBoard();
    const at = new Date();
    board.status('awaiting-human', { until: new Date(at.getTime() + 2000), at });
    board.status('running', { at: new Date(at.getTime() + 2000) });
    expect(lines().at(-1)).toMatch(/People: no message in time: going on$/);
  });
});
