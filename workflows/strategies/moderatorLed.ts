import { answered, invokeInParallel, invokeInSequence } from './phases';
import type { Strategy } from './types';

/**
 * Moderators answer first (in order of joining, each seeing the moderators before it); then all
 * others answer in parallel, each seeing the moderators' framing.
 */
export const moderatorLed: Strategy = {
  name: 'moderatorLed',
  check: (participants) =>
    participants.some((participant) => participant.role === 'moderator')
      ? undefined
      : 'moderatorLed needs a participant with role "moderator": add one, or pick another strategy',
  async run(context) {
    const moderators = context.participants.filter((participant) => participant.role === 'moderator');
    const others = context.participants.filter((participant) => participant.role !== 'moderator');
    const framing = await invokeInSequence(context, moderators);
    const answers = await invokeInParallel(context, others, answered(framing));
    return [...framing, ...answers];
  },
};
