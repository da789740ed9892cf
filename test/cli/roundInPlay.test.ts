import { roundInPlay } from '../../client/cli/sessionShow';

describe("show's line for a round not over", () => {
  it('names the round in play, its calls ended, and the rounds asked for after it', () => {
    const activeRound = { round: 3, states: { A: 'done', B: 'thinking', C: 'failed' } } as const;
    expect(roundInPlay('s1', { activeRound })).toBe(
      'Round 3 is being played (2 of 3 call(s) ended): `council attach s1` follows it to its end',
    );
    expect(roundInPlay('s1', { activeRound, roundsWaiting: 2 })).toBe(
      'Round 3 is being played (2 of 3 call(s) ended), and 2 more round(s) asked for wait: `council attach s1` follows it to its end',
    );
  });

  it('says rounds wait to begin when none is in play, and nothing between rounds', () => {
    expect(roundInPlay('s1', { roundsWaiting: 1 })).toBe(
      '1 round(s) asked for wait to begin: `council attach s1` follows the next to its end',
    );
    expect(roundInPlay('s1', { roundsWaiting: 0 })).toBeUndefined();
    expect(roundInPlay('s1', {})).toBeUndefined();
  });
});
