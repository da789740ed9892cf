import { invokeInParallel } from '../../../workflows/strategies/phases';
import type { Strategy } from '../../../workflows/strategies/types';

/**
 * Test-only: broadcast that starts its participants' calls in reverse order (same types, same
 * count) and returns the responses in the usual order. Bundled in place of the real broadcast by
 * test/replay/reorder.test.ts (so it cannot import the real one: the alias would point back here).
 */
export const broadcast: Strategy = {
  name: 'broadcast',
  check: (participants) =>
    participants.length === 0 ? 'broadcast needs at least one participant that answers' : undefined,
  run: async (context) =>
    (await invokeInParallel(context, [...context.participants].reverse(), [])).reverse(),
};
