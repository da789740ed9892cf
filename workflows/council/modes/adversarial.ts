import { STANCE_PREFIX } from '../../../common/convergence';
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

/** Asked of every position turn when the debate may stop at convergence; parsed by the workflow. */
const STANCE_REQUEST =
  ` End your answer with one line: ${STANCE_PREFIX} {"position": "<your position in a few words>", ` +
  '"confidence": <0 to 1>}. Use the same words as another expert when you hold the same position.';

/**
 * A debate of `debateRounds` rounds. Each round has two phases, taken in turn by every expert still
 * standing: positions (an opening in round 1, rebuttals after), then critiques of those positions.
 * Every turn sees the full debate history it may see, as in the seed's adversarial flow.
 * With `convergence`, each position turn also states a stance, and the debate stops after a round of
 * positions that reaches consensus or repeats an earlier set of positions (see ../convergence); with
 * `voteFirst` the opening positions are taken at once, so a council that agrees at once never debates.
 */
export const adversarial: CouncilModeRunner = {
  name: 'adversarial',
  async run(context) {
    const watch = context.convergenceWatch();
    for (let debate = 1; debate <= context.debateRounds; debate += 1) {
      // A spent budget ends the debate: no later round is played, nor its repeated positions read as
      // the debate's oscillation or consensus.
      if (context.spent()) break;
      const base = debate === 1 ? OPENING : REBUTTAL;
      const positions = watch ? { ...base, instruction: base.instruction + STANCE_REQUEST } : base;
      await context.beginRound(`debate round ${debate} of ${context.debateRounds}: positions`);
      // A vote: every prompt is built before any answer of the round is in, so none sees another.
      if (debate === 1 && watch?.voteFirst)
        await context.gather(context.active().map((expert) => context.turn(expert, positions)));
      else for (const expert of context.active()) await context.turn(expert, positions);
      await context.endRound();
      if (context.spent()) break;
      const stop = watch?.observe(context.readPositions());
      if (watch && stop) return context.concluded(watch.result(stop));
      await context.beginRound(`debate round ${debate} of ${context.debateRounds}: critiques`);
      for (const expert of context.active()) await context.turn(expert, CRITIQUE);
      await context.endRound();
    }
    if (watch) context.concluded(watch.result('round-cap'));
  },
};
