import { parseAge } from '../../client/cli/blobs';
import { scheduleSpec } from '../../client/cli/scheduleShared';
import { CouncilUserError } from '../../common/userError';

const intervalOf = (every: string) => scheduleSpec({ every }).intervals?.[0]?.every;

describe("schedule create's --every", () => {
  it('takes one duration as the SDK reads it', () => {
    expect(intervalOf('90s')).toBe(90_000);
    expect(intervalOf('1.5h')).toBe(5_400_000);
    expect(intervalOf('1d')).toBe(86_400_000);
  });

  it('takes consecutive durations, an hour and a half as 1h30m', () => {
    expect(intervalOf('1h30m')).toBe(5_400_000);
    expect(intervalOf('1d12h')).toBe(129_600_000);
  });

  it.each(['', 'soon', '1h30', '1h30x', 'h30m', '-1h'])('refuses %p, naming what it takes', (every) => {
    expect(() => scheduleSpec({ every })).toThrow(CouncilUserError);
    expect(() => scheduleSpec({ every })).toThrow(/is not a duration|must be from 1s/);
  });

  // The SDK reads a bare number as milliseconds: "must be from 1s" sent people looking for a range.
  it.each(['90', '3600', '1.5'])('refuses %p, a number with no unit, as no duration', (every) => {
    expect(() => scheduleSpec({ every })).toThrow(`--every "${every}" is not a duration`);
  });
});

describe("gc's --older-than", () => {
  it('reads durations as --every does, from an hour to a century', () => {
    expect(parseAge('30d')).toBe(30 * 86_400_000);
    expect(parseAge('1d12h')).toBe(129_600_000);
    expect(parseAge('1.5h')).toBe(5_400_000);
  });

  it.each(['5m', '59m', '36501d', 'soon', '', '7200000'])('refuses %p, naming the range', (age) => {
    expect(() => parseAge(age)).toThrow(/expected an age from 1h to 36500d/);
  });
});
