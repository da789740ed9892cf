import { participantSpecSchema } from '../../common/participants';
import { zodProblem } from '../../common/validation';

const model = { provider: 'openai', model: 'gpt-4o-mini' };
const problemOf = (fields: Record<string, unknown>) => {
  const parsed = participantSpecSchema.safeParse({ name: 'A', role: 'panelist', model, ...fields });
  return parsed.success ? undefined : zodProblem(parsed.error);
};

describe("a participant's call settings are bounded where a larger value could never work", () => {
  it.each([
    ['firstByteMs', { timeouts: { firstByteMs: 2_592_000_000 } }],
    ['streamIdleMs', { timeouts: { streamIdleMs: 2 ** 31 } }],
  ])('%s past the longest timer Node.js keeps (it fired at once, failing every call)', (field, fields) => {
    expect(problemOf(fields)).toMatch(new RegExp(`${field}.*at most 2147483647 ms`));
  });

  it.each([
    ['initialIntervalMs', { retry: { initialIntervalMs: 1e15 } }],
    ['maximumIntervalMs', { retry: { maximumIntervalMs: 1e15 } }],
  ])('a retry %s past a day (the next attempt never came)', (field, fields) => {
    expect(problemOf(fields)).toMatch(new RegExp(`${field}.*at most 86400000`));
  });

  it('maxOutputTokens past the largest context window (no budget could ever admit a call)', () => {
    expect(problemOf({ maxOutputTokens: 1e12 })).toMatch(/maxOutputTokens.*at most 2000000/);
  });

  it('keeps the largest values that work', () => {
    const timeouts = { firstByteMs: 2_147_483_647, streamIdleMs: 2_147_483_647 };
    const retry = { initialIntervalMs: 86_400_000, maximumIntervalMs: 86_400_000 };
    expect(problemOf({ timeouts, retry, maxOutputTokens: 2_000_000 })).toBeUndefined();
  });
});
