import { invokeInParallel } from './phases';
import type { Strategy } from './types';

/**
 * Workers (and, under this strategy, panelists and moderators) answer in parallel; then the
 * supervisors answer in parallel, each seeing every worker's output, and which workers failed and why.
 */
export const hierarchical: Strategy = {
  name: 'hierarchical',
  check(participants) {
    const supervisors = participants.filter((participant) => participant.role === 'supervisor');
    if (supervisors.length === 0) {
      return 'hierarchical needs a participant with role "supervisor" to synthesise the workers\' output';
    }
    if (supervisors.length === participants.length) {
      return 'hierarchical needs at least one participant with role "worker" besides the supervisors';
    }
    return undefined;
  },
  async run(context) {
    const supervisors = context.participants.filter((participant) => participant.role === 'supervisor');
    const workers = context.participants.filter((participant) => participant.role !== 'supervisor');
    const work = await invokeInParallel(context, workers, []);
    // Every worker's response, failures too: a supervisor must know which work is missing and why.
    const synthesis = await invokeInParallel(context, supervisors, work);
    return [...work, ...synthesis];
  },
};
