import { checkCallbacks, checkPollInterval } from '../../client/api/seedContext';
import { checkedStrategy, nameArgument } from '../../client/api/sessionCalls';
import { shownValue } from '../../common/printable';
import { CouncilUserError } from '../../common/userError';

describe('shownValue: a wrong value, in words for an error message', () => {
  it.each<[string, unknown, string]>([
    ['a string, quoted', 'chaos', '"chaos"'],
    ['a long string, cut', 'x'.repeat(100), `"${'x'.repeat(60)}…"`],
    ['a string without its escape sequences', 'a\u001b[2Jb', '"ab"'],
    ['a number', Number.NaN, 'NaN'],
    ['a BigInt', 10n, '10n'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['a function, not its source', () => 'secret', 'a function'],
    ['a symbol', Symbol('s'), 'a symbol'],
    ['a list', [1], 'a list'],
    [
      'a cyclic object',
      (() => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      })(),
      'an object',
    ],
  ])('%s', (_case, value, shown) => {
    expect(shownValue(value)).toBe(shown);
  });
});

describe('the library refuses a wrong argument with a CouncilUserError, never a TypeError', () => {
  // A BigInt poll interval or strategy threw a TypeError ("Do not know how to serialize a BigInt"), a
  // function as strategy printed its source; the others said less than they could ("got 5", "a number").
  it.each<[string, () => unknown, string]>([
    [
      'a BigInt poll interval',
      () => checkPollInterval(10n),
      'pollIntervalMs must be a number of ms from 10 to 60000, and is 10n',
    ],
    ['a BigInt strategy', () => checkedStrategy(1n), 'and is 1n'],
    ['a function as strategy', () => checkedStrategy(() => 'secret'), 'and is a function'],
    [
      'a BigInt name',
      () => nameArgument(5n, 'getParticipant'),
      "getParticipant takes a participant's name, and got 5n",
    ],
    [
      'a callback that is a number',
      () => checkCallbacks({ onToken: 3 }),
      'onToken must be a function, and is 3',
    ],
  ])('%s', (_case, call, message) => {
    let thrown: unknown;
    try {
      call();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CouncilUserError);
    expect((thrown as Error).message).toContain(message);
    expect((thrown as Error).message).not.toContain('secret');
  });
});
