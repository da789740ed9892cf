import type { PhaseSpec } from '../prompt';
import type { CouncilModeRunner } from './types';

// Every turn is the speaker's argument, so each is an `answer`: the output holds its latest one.
// The message types are the seed's: a counter-argument critiques, a rebuttal clarifies.

const INITIAL_POSITION: PhaseSpec = {
  kind: 'answer',
  defaultType: 'response',
  instruction: 'Open the debate: state your initial position on the task and argue for it.',
};

const COUNTER_ARGUMENT: PhaseSpec = {
  kind: 'answer',
  defaultType: 'critique',
  instruction:
    'Give your counter-argument to the positions before yours: name their weakest points and argue ' +
    'for your own position.',
};

const REBUTTAL: PhaseSpec = {
  kind: 'answer',
  defaultType: 'clarification',
  instruction:
    'Rebut the latest arguments against your position using the full debate history, then restate ' +
    'your position. Concede the points you now agree with.',
};

const FINAL_ARGUMENT: PhaseSpec = {
  kind: 'answer',
  defaultType: 'response',
  instruction:
    'Give your final argument: answer the latest arguments and state your final position. Nobody ' +
    'speaks after you.',
};

/** What the `index`-th speaker of pass `pass` (of `passes`, with `speakers` speakers) is asked. */
function turnPhase(pass: number, passes: number, index: number, speakers: number): PhaseSpec {
  if (pass === 1) return index === 0 ? INITIAL_POSITION : COUNTER_ARGUMENT;
  return pass === passes && index === speakers - 1 ? FINAL_ARGUMENT : REBUTTAL;
}

/**
 * The seed's "Adversarial Mode Flow", turn by turn: one expert speaks per round, in the order
 * listed, `debateRounds` times each. With two experts and two rounds: Expert 1's initial position,
 * Expert 2's counter-argument, Expert 1's rebuttal, Expert 2's final argument. Every turn is shown
 * the whole debate before it (broadcasts, and the messages addressed to the speaker).
 */
export const turnDebate: CouncilModeRunner = {
  name: 'adversarial',
  async run(context) {
    for (let pass = 1; pass <= context.debateRounds; pass += 1) {
      const speakers = context.active();
      for (const [index, expert] of speakers.entries()) {
        // A speaker that failed earlier in this pass sits out, as in every mode.
        if (!context.active().includes(expert)) continue;
        const phase = turnPhase(pass, context.debateRounds, index, speakers.length);
        await context.beginRound(`debate turn of ${expert.name} (${pass} of ${context.debateRounds})`);
        await context.turn(expert, phase);
        await context.endRound();
      }
    }
  },
};
