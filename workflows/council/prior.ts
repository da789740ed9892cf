import { priorConversationSchema, type PriorConversation } from '../../common/savedConversation';
import { zodProblem } from '../../common/validation';
import type { CouncilLedger } from './ledger';
import { invalid } from '../shared/invalid';

/** The earlier conversation a council goes on from, or an InvalidRequest failure saying what to fix. */
export function parsePriorConversation(raw: unknown): PriorConversation {
  const parsed = priorConversationSchema.safeParse(raw);
  if (!parsed.success) throw invalid(`invalid continueFrom: ${zodProblem(parsed.error)}`);
  return parsed.data;
}

/**
 * Puts the earlier conversation into the ledger before round 1: every expert's history then shows
 * the messages it may see (a direct message only to its recipient, as in the council that wrote it),
 * and the synthesizer reads them with the rest. Only the in-memory transcript and progress log
 * change: no command is issued.
 */
export function carryOverPrior(ledger: CouncilLedger, prior: PriorConversation): void {
  for (const message of prior.messages) ledger.carryOver(message);
  ledger.setStatus(
    'running',
    `continues ${prior.sourceId}: ${prior.messages.length} earlier message(s) shown to the experts`,
  );
}
