import { councilContextSchema } from '../../common/council';
import { humanMessageSchema } from '../../common/councilApi';
import { LIMITS } from '../../common/defaults';
import { sendMessageSchema } from '../../common/sessionInputs';
import { zodProblem } from '../../common/validation';
import { council, expert } from '../council/support';

const problemOf = (parsed: { success: boolean; error?: unknown }) =>
  parsed.success ? undefined : zodProblem(parsed.error as never);

// A round asked of text no one can see cost every participant a call on nothing.
describe("a message, task or person's message that shows nothing is refused, as an empty one is", () => {
  it.each([
    ['zero-width spaces', '\u200b\u200b'],
    ['control characters', '\u0001\u0002\u0003'],
    // White space of any script is trimmed as an end's: what is left is empty.
    ['a byte-order mark and no-break spaces', '\ufeff\u00a0\u2007'],
  ])('%s', (_what, text) => {
    const hidden = /holds only invisible characters|is empty/;
    expect(problemOf(sendMessageSchema.safeParse({ content: text }))).toMatch(hidden);
    expect(problemOf(humanMessageSchema.safeParse({ content: text }))).toMatch(hidden);
    expect(
      problemOf(councilContextSchema.safeParse({ ...council('parallel', [expert('a')]), task: text })),
    ).toMatch(hidden);
  });

  it('takes text with something to see among invisible characters', () => {
    expect(sendMessageSchema.safeParse({ content: '\u200bHi' }).success).toBe(true);
  });

  it('says a message too long in bytes counts letters outside ASCII as more than one byte', () => {
    const text = 'é'.repeat(Math.ceil(LIMITS.maxMessageBytes / 2) + 1);
    expect(problemOf(sendMessageSchema.safeParse({ content: text }))).toMatch(
      /a letter outside ASCII counts 2 to 4/,
    );
  });
});
