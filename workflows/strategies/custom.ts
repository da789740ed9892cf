import type { ParticipantSpec } from '../../common/participants';
import { invokeInSequence } from './phases';
import type { Strategy } from './types';

/** Highest priority first; equal priorities keep their order of joining (the sort is stable). */
export function byPriority(participants: readonly ParticipantSpec[]): ParticipantSpec[] {
  return [...participants].sort((a, b) => b.priority - a.priority);
}

/**
 * Participants answer in priority order, each seeing the answers before it, like roundRobin;
 * evaluators too, in their priority place (after the others of the same priority).
 */
export const custom: Strategy = {
  name: 'custom',
  ranksEvaluators: true,
  check: (participants) =>
    participants.length === 0 ? 'custom needs at least one participant that answers' : undefined,
  run: (context) => invokeInSequence(context, byPriority(context.participants)),
};
