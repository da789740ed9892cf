import { formatUsd } from '../../client/cli/output';

// `council list` printed $0.0000 for a session that had spent $0.000047.
describe('formatUsd: an amount in dollars as the CLI prints it', () => {
  it.each([
    [0, '$0.0000'],
    [1.5, '$1.5000'],
    [0.0123, '$0.0123'],
    [0.0001, '$0.0001'],
    [0.000047, '$0.000047'],
    [0.00000012, '$0.00000012'],
  ])('%p as %p: four decimals, or as many as its first two digits need', (usd, text) => {
    expect(formatUsd(usd)).toBe(text);
  });
});
