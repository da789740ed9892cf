import type { PhaseSpec } from '../prompt';
import type { CouncilModeRunner } from './types';

const ANSWER: PhaseSpec = {
  kind: 'answer',
  defaultType: 'response',
  instruction:
    'Give your expert analysis of the task. Build on the previous responses: say what you add, ' +
    'where you agree and where you differ.',
};

/**
 * Experts answer one after another, one round each, in the order listed: each sees the answers
 * (and messages) before it, so the last expert receives the full conversation history.
 */
export const sequential: CouncilModeRunner = {
  name: 'sequential',
  async run(context) {
    for (const expert of context.experts) {
      await context.beginRound(`${expert.name} answers`);
      await context.turn(expert, ANSWER);
      await context.endRound();
    }
  },
};
