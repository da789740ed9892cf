import { invokeInParallel } from './phases';
import type { Strategy } from './types';

/** All participants answer the same prompt in parallel. */
export const broadcast: Strategy = {
  name: 'broadcast',
  check: (participants) =>
    participants.length === 0 ? 'broadcast needs at least one participant that answers' : undefined,
  run: (context) => invokeInParallel(context, context.participants, []),
};
