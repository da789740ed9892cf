import type { Strategy } from './types';

/** All participants answer the same prompt in parallel; a quorum or deadline may close the round early. */
export const broadcast: Strategy = {
  name: 'broadcast',
  check: (participants) =>
    participants.length === 0 ? 'broadcast needs at least one participant that answers' : undefined,
  run: (context) => {
    const calls = context.participants.map((participant) => context.invoke(participant, []));
    return context.gather ? context.gather(calls) : Promise.all(calls);
  },
};
