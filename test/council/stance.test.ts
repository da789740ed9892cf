import { agreementOf, parseStance, type Stance } from '../../common/convergence';
import { ConvergenceWatch } from '../../workflows/council/convergence';

const line = (position: string, confidence: unknown = 0.8) =>
  `STANCE: ${JSON.stringify({ position, confidence })}`;

describe('stances: parsing and agreement (no server)', () => {
  it('reads the last STANCE line, normalised; anything unreadable is no stance', () => {
    expect(parseStance(`I argue.\n${line('Old')}\nMore.\n  ${line('  Adopt   IT ')}`)).toEqual({
      position: 'adopt it',
      confidence: 0.8,
    });
    expect(parseStance('no stance here')).toBeUndefined();
    expect(parseStance('STANCE: {not json')).toBeUndefined();
    expect(parseStance(line('yes', 1.5))).toBeUndefined();
    expect(parseStance(line('   '))).toBeUndefined();
    expect(parseStance(line('x'.repeat(201)))).toBeUndefined();
  });

  it('agreement is the share on the most common position; no stance counts against; ties break by text', () => {
    const s = (position: string): Stance => ({ position, confidence: 0.5 });
    expect(agreementOf(['a', 'b', 'c'], { a: s('yes'), b: s('yes'), c: undefined })).toEqual({
      agreement: 2 / 3,
      position: 'yes',
    });
    expect(agreementOf(['a', 'b'], { a: s('no'), b: s('maybe') })).toEqual({
      agreement: 0.5,
      position: 'maybe',
    });
    expect(agreementOf(['a', 'b'], {})).toEqual({ agreement: 0 });
  });

  it('the watch stops at consensus, on a repeated set of positions, and estimates tokens saved', () => {
    const consensus = new ConvergenceWatch({ threshold: 0.67, voteFirst: false }, 4);
    const read = (a: string, b: string, tokensUsed: number) => ({
      experts: ['a', 'b'],
      answers: { a: line(a), b: line(b) },
      tokensUsed,
    });
    expect(consensus.observe(read('x', 'y', 100))).toBeUndefined();
    expect(consensus.observe(read('x', 'X', 200))).toBe('consensus');
    expect(consensus.result('consensus')).toMatchObject({
      debateRounds: 2,
      roundsSkipped: 2,
      tokensSaved: 200,
    });

    const swinging = new ConvergenceWatch({ threshold: 1, voteFirst: false }, 5);
    expect(swinging.observe(read('x', 'y', 10))).toBeUndefined();
    expect(swinging.observe(read('y', 'x', 20))).toBeUndefined();
    expect(swinging.observe(read('x', 'y', 30))).toBe('oscillation');

    // Without every expert's stance a repeat is not an oscillation.
    const silent = new ConvergenceWatch({ threshold: 1, voteFirst: false }, 3);
    const mute = { experts: ['a', 'b'], answers: { a: line('x') }, tokensUsed: 0 };
    expect(silent.observe(mute)).toBeUndefined();
    expect(silent.observe(mute)).toBeUndefined();
  });
});
