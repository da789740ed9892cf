import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
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

describe("the council board's answers", () => {
  const update = (round: number, message: Record<string, unknown>) => ({
    seq: round,
    at: new Date(),
    kind: 'expert' as const,
    expertId: String(message.sender),
    expertName: String(message.senderName),
    state: 'done' as const,
    round,
    phase: 'answer' as const,
    content: String(message.content),
    message: { timestamp: new Date(), type: 'response', content: 'text', ...message } as never,
  });

  it('head each answer with its type, audience, urgency and the message it answers, as `show` does', () => {
    const { board, lines } = plainBoard();
    board.expert(update(1, { id: 'm1', sender: 'a', senderName: 'Alpha', content: 'first' }));
    board.expert(
      update(2, {
        id: 'm2',
        sender: 'd',
        senderName: 'Delta',
        content: 'second',
        type: 'critique',
        audience: 'role:critic',
        recipients: ['c'],
        priority: 'urgent',
        replyTo: 'm1',
      }),
    );
    // Bold and dim where the environment asks for colour (CI does): the text is what is checked.
    const plain = lines().map((line) => stripVTControlCharacters(line));
    const heads = plain.filter((line) => line.startsWith('Alpha (') || line.startsWith('Delta ('));
    expect(heads).toEqual([
      'Alpha (round 1)',
      "Delta (round 2, critique, to role:critic only, urgent, replying to Alpha's round 1 response)",
    ]);
  });

  // `run --from`: an answer replying to a carried message whose sender is not in this council read
  // "replying to message 0f59b3ba-…".
  it('names the carried message an answer replies to, by its sender and round in the earlier council', () => {
    const { board, lines } = plainBoard();
    board.carried([{ id: 'old-1', senderName: 'Buy Advocate', round: 3, type: 'critique' }]);
    board.expert(update(4, { id: 'm4', sender: 'a', senderName: 'Alpha', content: 'yes', replyTo: 'old-1' }));
    const plain = lines().map((line) => stripVTControlCharacters(line));
    expect(plain).toContain("Alpha (round 4, replying to Buy Advocate's round 3 critique)");
  });
});
