import { raisedLimits } from '../../common/budgetRaise';

/**
 * A raise that cannot be made says how to fix it in the words of both ways to raise: the library's
 * field (raiseBudget) and the CLI's flag (`council budget raise`).
 */
describe('a raise the budget refuses', () => {
  it('names the field and the flag of the limit the budget sets', () => {
    expect(raisedLimits({ maxTokens: 1000 }, { byUsd: 1 })).toBe(
      'this budget sets no money limit (maxCostUsd): raise its tokens instead, e.g. byTokens: 10000 (--by-tokens 10000)',
    );
    expect(raisedLimits({ maxCostUsd: 1 }, { toTokens: 5000 })).toBe(
      'this budget sets no token limit (maxTokens): raise its dollars instead, e.g. byUsd: 0.5 (--by-usd 0.5)',
    );
  });

  it('never lowers a limit, naming the field and the flag', () => {
    expect(raisedLimits({ maxCostUsd: 0.05 }, { toUsd: 0.01 })).toBe(
      'the budget is already $0.05: toUsd (--to-usd) must not lower it',
    );
    expect(raisedLimits({ maxTokens: 1000 }, { toTokens: 10 })).toBe(
      'the budget is already 1000 tokens: toTokens (--to-tokens) must not lower it',
    );
  });

  it('raises the limit asked for', () => {
    expect(raisedLimits({ maxCostUsd: 0.1, maxTokens: 10 }, { byUsd: 0.2 })).toEqual({
      maxCostUsd: 0.3,
      maxTokens: 10,
    });
    expect(raisedLimits({ maxTokens: 1000 }, { byTokens: 500 })).toEqual({ maxTokens: 1500 });
  });
});
