import type { PhaseSpec } from '../prompt';
import type { CouncilModeRunner } from './types';

const OPENING: PhaseSpec = {
  kind: 'answer',
  defaultType: 'response',
  instruction:
    'State your position on the task and argue for it. Engage with any position stated before yours.',
};

const REBUTTAL: PhaseSpec = {
  kind: 'answer',
  defaultType: 'clarification',
  instruction:
    'Rebut the critiques of your position using the full debate history, then state your revised ' +
    'position. Concede the points you now agree with.',
};

const CRITIQUE: PhaseSpec = {
  kind: 'critique',
  defaultType: 'critique',
  instruction:
    "Critique the other experts' latest positions: name their weakest points and why. Say where you agree.",
};

/**
 * A debate of `debateRounds` rounds. Each round has two phases, taken in turn by every expert still
 * standing: positions (an opening in round 1, rebuttals after), then critiques of those positions.
 * Every turn sees the full debate history it may see, as in the seed's adversarial flow.
 */
export const adversarial: CouncilModeRunner = {
  name: 'adversarial',
  async run(context) {
    for (let debate = 1; debate <= context.debateRounds; debate += 1) {
      const positions = debate === 1 ? OPENING : REBUTTAL;
      context.beginRound(`debate round ${debate} of ${context.debateRounds}: positions`);
      for (const expert of context.active()) await context.turn(expert, positions);
      await context.endRound();
      context.beginRound(`debate round ${debate} of ${context.debateRounds}: critiques`);
      for (const expert of context.active()) await context.turn(expert, CRITIQUE);
      await context.endRound();
    }
  },
};
