import type { CallCharge, Expert, ExpertOutput } from '../../common/council';
import { ZERO_USAGE } from '../../common/llm';

/** An expert's outcome before any call of it ended: done, with no answer and no tokens yet. */
export function emptyOutput(expert: Expert): ExpertOutput {
  return {
    expertId: expert.id,
    expertName: expert.name,
    status: 'done',
    content: '',
    round: 0,
    tokenUsage: { ...ZERO_USAGE },
  };
}

/**
 * Adds a call's charge to its expert's output and returns it for the call's event; a call without
 * one (no budget, or refused before it was sent) leaves both as they were.
 */
export function addCharge(output: ExpertOutput, charge: CallCharge): CallCharge {
  const { costUsd, downgradedTo } = charge;
  if (costUsd !== undefined) output.costUsd = (output.costUsd ?? 0) + costUsd;
  if (downgradedTo) output.downgradedTo = downgradedTo;
  return {
    ...(costUsd !== undefined && { costUsd }),
    ...(downgradedTo && { downgradedTo }),
  };
}
