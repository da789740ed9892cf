import { providerPolicySchema } from '../../activities/policy';
import { zodProblem } from '../../common/validation';

const problemOf = (rules: unknown) => {
  const parsed = providerPolicySchema.safeParse(rules);
  return parsed.success ? undefined : zodProblem(parsed.error);
};

// A policy compares origins exactly: a wildcard was taken as a literal host no call goes to, so the
// operator believed a domain allowed that was not (or wrote one meaning more than they meant).
describe("a provider policy's origins", () => {
  it.each([
    ['a key', { keys: { OPENROUTER_API_KEY: ['https://*.openrouter.ai'] } }],
    ['a keyless server', { keyless: ['http://*:11434'] }],
  ])('refuse a wildcard for %s, saying to name each origin', (_what, rules) => {
    expect(problemOf(rules)).toMatch(
      /holds a wildcard: a policy names each origin, e\.g\. "https:\/\/api\.example\.com"/,
    );
  });

  it('take a path with a star, which the policy ignores as it ignores every path', () => {
    expect(problemOf({ keys: { OPENROUTER_API_KEY: ['https://openrouter.ai/api/*'] } })).toBeUndefined();
  });

  it('take plain origins', () => {
    expect(
      problemOf({
        keys: { OPENROUTER_API_KEY: ['https://openrouter.ai'] },
        keyless: ['http://127.0.0.1:11434'],
      }),
    ).toBeUndefined();
  });
});
