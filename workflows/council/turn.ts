import { patched } from '../shared/patches';
import type { Expert } from '../../common/council';
import { chargeOf, type BudgetGate } from '../shared/budget';
import type { CallIds } from '../shared/callIds';
import { expertHedge, hedgedCall } from './hedge';
import type { CouncilLedger } from './ledger';
import { createExpertMessage } from './messages';
import { conversationContextFor, type HistoryFormat } from './history';
import { COUNCIL_TURN_SHARES_PATCH, fitTurn, type FittedTurn } from './turnShares';
import { addressReply, parseExpertReply, type ExpertReply } from './expertReply';
import { expertPrompt, type PhaseSpec } from './prompt';
import { MESSAGE_ROUTING_PATCH, routeReply, type RoutedReply } from './routing';
import type { ExpertCalls } from './skip';

/**
 * One expert's turn: its visible history in, one routed message (or a recorded failure) out.
 * Resolves to whether the expert answered.
 */
export async function takeTurn(
  ledger: CouncilLedger,
  ids: CallIds,
  expert: Expert,
  phase: PhaseSpec,
  budget: BudgetGate | undefined,
  calls?: ExpertCalls,
): Promise<boolean> {
  const { context } = ledger;
  // The call's own round: a quorum may close it while the call runs, which makes the answer late.
  const { round } = ledger;
  const structured = context.enableMessaging && expert.canSendMessages === true;
  // Routed replies change this expert's prompt and how its reply is read: recorded councils, which
  // have no marker, replay with the prompt and routing they had.
  const routed = structured && patched(MESSAGE_ROUTING_PATCH);
  // Its inbox, taken once: the urgent messages in it it reads first. Only routing makes a message
  // urgent, so every other prompt is as before.
  const delivered = ledger.deliver(expert.id);
  const urgent = delivered.filter((message) => message.priority === 'urgent').map((message) => message.id);
  const format: HistoryFormat = {
    nameOf: (id) => context.activeExperts.find((e) => e.id === id)?.name,
    showIds: structured,
    ...(urgent.length > 0 && { firstIds: new Set(urgent) }),
  };
  const seen = conversationContextFor(
    ledger.messages,
    expert.id,
    ledger.round,
    context.maxHistoryMessages,
    format,
  );
  const form = routed ? 'routed' : structured ? 'structured' : 'plain';
  // The run's history stays bounded: each turn shows and answers within its share of it.
  const fitted: Omit<FittedTurn, 'answerBytes'> & { answerBytes?: number } = patched(
    COUNCIL_TURN_SHARES_PATCH,
  )
    ? fitTurn({ context, expert, phase, round: ledger.round, form }, seen.messages, format)
    : {
        prompt: expertPrompt(context, expert, phase, ledger.round, seen.conversationHistory, form),
        messages: seen.messages,
      };
  const { prompt } = fitted;
  const view = ledger.shown.shown(
    expert.id,
    ledger.round,
    phase.kind,
    fitted.messages.map((message) => message.id),
  );
  if (fitted.historyBytes !== undefined) view.historyBytes = fitted.historyBytes;
  ledger.expertStarted(
    expert,
    phase.kind,
    delivered.map((message) => message.id),
  );
  const site = { round: ledger.round, phase: phase.kind, participant: expert.id, label: expert.name };
  const options = {
    site,
    ids,
    responseFormat: structured ? ('json' as const) : undefined,
    budget,
    ...(fitted.answerBytes !== undefined && { maxAnswerBytes: fitted.answerBytes }),
  };
  const { hedge, hooks } = expertHedge(ledger, expert, round);
  const turn = calls?.begin(expert.id);
  const outcome = await hedgedCall(hedge, expert, prompt, options, {
    ...hooks,
    ...(turn && { turn }),
  }).finally(() => turn && calls?.end(expert.id, turn));
  // Only a person's skip sets `skipped`: a call cut short by its run's cancellation is no skip.
  if (turn?.skipped && outcome.status !== 'ok') {
    ledger.expertSkipped(expert, phase.kind, round, chargeOf(outcome));
    return false;
  }
  if (outcome.status !== 'ok') {
    ledger.expertFailed(expert, phase.kind, outcome.error, round, chargeOf(outcome));
    return false;
  }
  const raw = outcome.response.content;
  const reply: ExpertReply = structured
    ? parseExpertReply(raw, phase.defaultType)
    : { type: phase.defaultType, content: raw.trim(), structured: false };
  const seenIds = new Set(fitted.messages.map((m) => m.id));
  const roster = { experts: context.activeExperts, groups: context.groups };
  const address: RoutedReply = routed
    ? routeReply(reply, expert.id, roster, seenIds)
    : structured
      ? addressReply(reply, expert.id, context.activeExperts, seenIds)
      : {};
  const message = createExpertMessage(
    ledger.stamp(),
    expert.id,
    expert.name,
    reply.content,
    reply.type,
    address.recipient,
    address.replyTo,
    address.context,
  );
  const { recipients, audience, priority } = address;
  const routing = {
    ...(recipients !== undefined && { recipients }),
    ...(audience !== undefined && { audience }),
    ...(priority !== undefined && { priority }),
  };
  ledger.expertDone(
    expert,
    phase.kind,
    { ...message, ...routing },
    outcome.response.tokenUsage,
    round,
    outcome.response.servedBy,
    chargeOf(outcome),
  );
  const output = ledger.outputs[expert.id];
  if (output && outcome.hedgedBy) output.hedgedBy = outcome.hedgedBy;
  view.answerId = message.id;
  return true;
}
