import type { ParticipantSpec } from '../../common/participants';
import type { ParticipantResponse } from '../../common/session';
import { quotedName } from '../shared/untrusted';
import { assignmentRequest, parseAssignments, taskMessage } from './assignment';
import { invokeInParallel } from './phases';
import { leadOf } from './roles';
import type { CallPurpose, RoundContext, Strategy } from './types';

/**
 * Patch id of the change that has the supervisor assign each worker its task before the workers
 * answer: rounds recorded before it gave every worker the round's message.
 */
export const SUPERVISOR_ASSIGNMENT_PATCH = 'supervisor-assignment';

/**
 * The first supervisor to have joined assigns each worker a task (one call, `r<round>.assign.<name>`,
 * read line by line in the workflow); workers (and, under this strategy, panelists and moderators)
 * then answer in parallel, each its own task, or the round's message when the assignment gave it
 * none (a note says so); then the supervisors answer in parallel, each seeing every worker's output,
 * and which workers failed and why.
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
  // One call each, and the assignment.
  maxCalls: (participants) => participants + 1,
  async run(context) {
    const supervisors = context.participants.filter((participant) => participant.role === 'supervisor');
    const workers = context.participants.filter((participant) => participant.role !== 'supervisor');
    const lead = leadOf('hierarchical', context.participants);
    if (!lead || !context.patched(SUPERVISOR_ASSIGNMENT_PATCH)) {
      const work = await invokeInParallel(context, workers, []);
      // Every worker's response, failures too: a supervisor must know which work is missing and why.
      return [...work, ...(await invokeInParallel(context, supervisors, work))];
    }
    const assignment = await context.invoke(lead, [], {
      phase: 'assign',
      ask: (message) => `${message}\n\n${assignmentRequest(workers)}`,
      kind: 'assignment',
    });
    const tasks =
      assignment.status === 'ok' ? parseAssignments(assignment.content, workers) : new Map<string, string>();
    noteFallbacks(context, assignment, workers, tasks);
    const work = await Promise.all(
      workers.map((worker) => context.invoke(worker, [], taskFor(lead, tasks.get(worker.name)))),
    );
    const synthesis = await invokeInParallel(context, supervisors, work);
    return [assignment, ...work, ...synthesis];
  },
};

/** A worker's call for its task; a plain answer to the round's message when it has none. */
function taskFor(lead: ParticipantSpec, task: string | undefined): CallPurpose | undefined {
  return task === undefined ? undefined : { ask: () => taskMessage(lead.name, task) };
}

/** A note naming the workers that got the round's message instead of a task, and why. */
function noteFallbacks(
  context: RoundContext,
  assignment: ParticipantResponse,
  workers: readonly ParticipantSpec[],
  tasks: ReadonlyMap<string, string>,
): void {
  const untasked = workers.filter((worker) => !tasks.has(worker.name)).map((w) => quotedName(w.name));
  if (untasked.length === 0) return;
  const lead = quotedName(assignment.participantName);
  const why =
    assignment.status === 'ok'
      ? `${lead}'s assignment has no line "Name: task" for them`
      : `${lead}'s assignment ${assignment.status}: ${assignment.error?.type ?? 'no reason given'}`;
  context.note(`${untasked.join(', ')} answer the round's message: ${why}`);
}
