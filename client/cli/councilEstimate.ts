import { REPLY_PRIMING_TOKENS } from '../../common/budget';
import { councilContextSchema, type CouncilContext } from '../../common/council';
import { LIMITS } from '../../common/defaults';
import { backupName } from '../../common/hedge';
import type { CouncilConfig } from '../api/config';
import type { SessionEstimate } from './estimate';
import { estimateRow, estimateTotal, type EstimateRow } from './estimateRow';

/**
 * The most tokens one council prompt can take. A council's prompts have no smaller bound of their
 * own than the request size every call is checked against before it reserves (workflows/shared/
 * callModel.ts): the request's JSON holds every message's UTF-8 bytes plus more framing per message
 * than the chat format's overhead, and a token is at least one byte.
 */
export const COUNCIL_PROMPT_TOKEN_BOUND =
  LIMITS.payloadLimitBytes - LIMITS.requestEnvelopeBytes + REPLY_PRIMING_TOKENS;

/** The most calls of each expert's own model in one council: its turns in the council's mode. */
function turnsOf(context: CouncilContext): number {
  if (context.mode !== 'adversarial') return 1;
  // Phased debates take a position and a critique each round; the seed's turns, one turn a round.
  return context.debateStyle === 'turns' ? context.debateRounds : 2 * context.debateRounds;
}

/**
 * Worst case of a whole council: each expert's every turn (and, with peer review, its review and
 * the one retry of an unreadable ranking), each hedge backup standing in for every turn of the
 * experts it backs, and the synthesis; every call at the prompt bound plus every output token,
 * times every attempt its retry policy allows. A person's messages add no calls.
 */
export function estimateCouncil(config: Extract<CouncilConfig, { kind: 'council' }>): SessionEstimate {
  const context = councilContextSchema.parse({ ...config.context, task: config.task ?? 'estimate' });
  const turns = turnsOf(context);
  const reviews = context.peerReview ? 2 : 0;
  const rows: EstimateRow[] = [];
  for (const expert of context.activeExperts) {
    rows.push(estimateRow(expert, turns + reviews, COUNCIL_PROMPT_TOKEN_BOUND));
    const hedge = expert.hedge ?? context.hedge;
    // A backup is sent the expert's prompt, under its own bounds and retry policy.
    if (hedge)
      rows.push(
        estimateRow({ ...hedge.backup, name: backupName(hedge.backup) }, turns, COUNCIL_PROMPT_TOKEN_BOUND),
      );
  }
  rows.push(estimateRow(context.synthesisConfig, 1, COUNCIL_PROMPT_TOKEN_BOUND));
  return {
    ...estimateTotal(rows),
    scope: 'council',
    ...(context.budget && { budget: context.budget }),
  };
}
