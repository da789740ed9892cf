import { wrapText } from '../../client/cli/wrap';

describe('wrapText', () => {
  it('breaks long lines at spaces, keeps short lines, blank lines and indentation', () => {
    const text =
      'one two three four five six seven eight nine ten eleven\n\n  - an indented item that goes on and on';
    expect(wrapText(text, 20)).toBe(
      [
        'one two three four',
        'five six seven eight',
        'nine ten eleven',
        '',
        '  - an indented item',
        '  that goes on and',
        '  on',
      ].join('\n'),
    );
  });

  it('cuts a word longer than a line, and leaves text alone without a width', () => {
    const long = 'x'.repeat(45);
    expect(wrapText(`a ${long}`, 20)).toBe(['a', 'x'.repeat(20), 'x'.repeat(20), 'x'.repeat(5)].join('\n'));
    expect(wrapText(`a ${long}`, undefined)).toBe(`a ${long}`);
  });
});
