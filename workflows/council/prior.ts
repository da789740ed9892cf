import { priorConversationSchema, type PriorConversation } from '../../common/savedConversation';
import { zodProblem } from '../../common/validation';
import { readAsTaken } from '../../common/laterChecks';
import type { CouncilLedger } from './ledger';
import { invalid } from '../shared/invalid';

/**
 * Patch id of the change that numbers a continued council's rounds on from the last round it
 * carried over (its first round was round 1 before): the round is part of every call's activity id.
 */
export const CARRIED_ROUNDS_PATCH = 'carried-rounds';

/** The earlier conversation a council goes on from, or an InvalidRequest failure saying what to fix. */
export function parsePriorConversation(raw: unknown): PriorConversation {
  // Checked where the client started the run: a check added since holds for input arriving now only.
  const parsed = readAsTaken(() => priorConversationSchema.safeParse(raw));
  if (!parsed.success) throw invalid(`invalid continueFrom: ${zodProblem(parsed.error)}`);
  return parsed.data;
}

/** The latest round of the carried messages; 0 when none has one (an input of schema version 3). */
export function lastCarriedRound(prior: PriorConversation): number {
  return prior.messages.reduce((last, message) => Math.max(last, message.round ?? 0), 0);
}

/**
 * Puts the earlier conversation into the ledger before the council's own rounds: every expert's
 * history then shows the messages it may see (a direct message only to its recipient, as in the
 * council that wrote it), and the synthesizer reads them with the rest. Each keeps its round and
 * phase in the progress log, marked carried. Only the in-memory transcript and log change: no
 * command is issued.
 */
export function carryOverPrior(ledger: CouncilLedger, prior: PriorConversation): void {
  for (const { round, phase, ...message } of prior.messages) ledger.carryOver(message, { round, phase });
  const numbering = ledger.round > 0 ? `; its rounds number on from round ${ledger.round}` : '';
  ledger.setStatus(
    'running',
    `continues ${prior.sourceId}: ${prior.messages.length} earlier message(s) shown to the experts${numbering}`,
  );
}
