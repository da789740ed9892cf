import type { PhaseSpec } from '../prompt';
import type { CouncilModeRunner } from './types';

const ANSWER: PhaseSpec = {
  kind: 'answer',
  defaultType: 'response',
  instruction: 'Give your expert analysis of the task.',
};

/**
 * Every expert answers at once, in one round. Each sees only what was said before the round began
 * (people's messages); the answers are captured as messages for the synthesis and for analysis.
 * Under a quorum or deadline the round closes early and the answers still to come are late.
 */
export const parallel: CouncilModeRunner = {
  name: 'parallel',
  async run(context) {
    await context.beginRound('all experts answer at once');
    await context.gather(context.active().map((expert) => context.turn(expert, ANSWER)));
    await context.endRound();
  },
};
