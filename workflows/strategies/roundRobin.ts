import { invokeInSequence } from './phases';
import type { Strategy } from './types';

/** Participants answer in order of joining, each seeing the answers before it in this round. */
export const roundRobin: Strategy = {
  name: 'roundRobin',
  check: (participants) =>
    participants.length === 0 ? 'roundRobin needs at least one participant that answers' : undefined,
  run: (context) => invokeInSequence(context, context.participants),
};
