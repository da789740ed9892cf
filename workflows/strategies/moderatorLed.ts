import { answered, invokeInParallel, invokeInSequence } from './phases';
import { leadOf } from './roles';
import type { CallPurpose, Strategy } from './types';

/**
 * Patch id of the change that has the moderator synthesize the panel's answers at the end of the
 * round: rounds recorded before it ended with the panel's answers.
 */
export const MODERATOR_SYNTHESIS_PATCH = 'moderator-synthesis';

/** What the moderator is asked after the round's message, above the panel's answers. */
export const SYNTHESIS_REQUEST =
  "As the moderator, synthesize the panel's responses below into one answer to the message above: " +
  'where they agree, where they differ and why, and what you conclude. Say which participants gave ' +
  'no answer, if any.';

/** The synthesis call: its own phase, so its id (`r<round>.synthesis.<name>`) differs from the framing's. */
const SYNTHESIS: CallPurpose = {
  phase: 'synthesis',
  ask: (message) => `${message}\n\n${SYNTHESIS_REQUEST}`,
  kind: 'synthesis',
};

/**
 * Moderators answer first (in order of joining, each seeing the moderators before it); then all
 * others answer in parallel, each seeing the moderators' framing; then the first moderator to have
 * joined synthesizes the panel's responses (failures too, so it knows who gave no answer).
 */
export const moderatorLed: Strategy = {
  name: 'moderatorLed',
  check: (participants) =>
    participants.some((participant) => participant.role === 'moderator')
      ? undefined
      : 'moderatorLed needs a participant with role "moderator": add one, or pick another strategy',
  // One call each, and the synthesis.
  maxCalls: (participants) => participants + 1,
  async run(context) {
    const moderators = context.participants.filter((participant) => participant.role === 'moderator');
    const others = context.participants.filter((participant) => participant.role !== 'moderator');
    const framing = await invokeInSequence(context, moderators);
    const answers = await invokeInParallel(context, others, answered(framing));
    const lead = leadOf('moderatorLed', context.participants);
    if (!lead || !context.patched(MODERATOR_SYNTHESIS_PATCH)) {
      return [...framing, ...answers];
    }
    const synthesis = await context.invoke(lead, answers, SYNTHESIS);
    return [...framing, ...answers, synthesis];
  },
};
