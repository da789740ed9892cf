import { CancellationScope, CancelledFailure, condition, patched } from '@temporalio/workflow';
import type { Expert, SynthesisOutput } from '../../common/council';
import type { PeerReviewResult } from '../../common/peerReview';
import { ZERO_USAGE } from '../../common/llm';
import { callModel, type CallIds } from '../shared/callModel';
import type { BudgetGate } from '../shared/budget';
import { hedgedCall } from './hedge';
import { ConvergenceWatch, DEBATE_CONVERGENCE_PATCH } from './convergence';
import type { CouncilLedger } from './ledger';
import {
  addressReply,
  conversationContextFor,
  createExpertMessage,
  parseExpertReply,
  type ExpertReply,
  type HistoryFormat,
} from './messaging';
import type { ModeContext } from './modes';
import type { RoundCloser } from './quorum';
import { expertPrompt, type PhaseSpec } from './prompt';
import { MESSAGE_ROUTING_PATCH, routeReply, type RoutedReply } from './routing';
import { synthesisPrompt } from './synthesis';

/**
 * A cancelled council stops at the next round instead of calling every remaining expert in vain.
 * Needed by histories from before CANCELLED_RUN_PATCH, whose cut-short calls returned `skipped`;
 * since the patch the cut-short call itself throws the cancellation.
 */
export function stopIfCancelled(): void {
  if (CancellationScope.current().consideredCancelled)
    throw new CancelledFailure('the council was cancelled');
}

/**
 * One expert's turn: its visible history in, one routed message (or a recorded failure) out.
 * Resolves to whether the expert answered.
 */
async function takeTurn(
  ledger: CouncilLedger,
  ids: CallIds,
  expert: Expert,
  phase: PhaseSpec,
  budget: BudgetGate | undefined,
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
  const prompt = expertPrompt(context, expert, phase, ledger.round, seen.conversationHistory, form);
  const view = ledger.shown.shown(
    expert.id,
    ledger.round,
    phase.kind,
    seen.messages.map((message) => message.id),
  );
  ledger.expertStarted(
    expert,
    phase.kind,
    delivered.map((message) => message.id),
  );
  const site = { round: ledger.round, phase: phase.kind, participant: expert.id, label: expert.name };
  const options = { site, ids, responseFormat: structured ? ('json' as const) : undefined, budget };
  const outcome = await hedgedCall(context.hedge, expert, prompt, options, (backup) =>
    ledger.setStatus('running', `round ${round}: ${expert.name} straggles, ${backup} answers too`),
  );
  if (outcome.status !== 'ok') {
    ledger.expertFailed(expert, phase.kind, outcome.error, round);
    return false;
  }
  const raw = outcome.response.content;
  const reply: ExpertReply = structured
    ? parseExpertReply(raw, phase.defaultType)
    : { type: phase.defaultType, content: raw.trim(), structured: false };
  const seenIds = new Set(seen.messages.map((m) => m.id));
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
  );
  const output = ledger.outputs[expert.id];
  if (output && outcome.hedgedBy) output.hedgedBy = outcome.hedgedBy;
  view.answerId = message.id;
  return true;
}

/** The {@link ModeContext} a mode runs against, backed by the ledger. */
export function modeContext(
  ledger: CouncilLedger,
  ids: CallIds,
  closer: RoundCloser,
  budget?: BudgetGate,
): ModeContext {
  const { context } = ledger;
  return {
    experts: context.activeExperts,
    debateRounds: context.debateRounds,
    active: () => context.activeExperts.filter((expert) => !ledger.failed.has(expert.id)),
    beginRound(detail) {
      stopIfCancelled();
      ledger.round += 1;
      ledger.setStatus('running', `round ${ledger.round}: ${detail}`);
      return ledger.round;
    },
    // A spent budget ends the experts' turns: none is taken (or refused) after it, what was said stays.
    turn: (expert, phase) =>
      budget?.ledger.exhausted ? Promise.resolve(false) : takeTurn(ledger, ids, expert, phase, budget),
    gather: (turns) => closer.close(ledger, turns),
    async endRound() {
      const wait = context.awaitHumanBetweenRounds;
      if (!wait) return;
      const before = ledger.humanMessages;
      // Workflow time: the deadline replays to the same instant.
      const until = new Date(Date.now() + wait.timeoutMs).toISOString();
      ledger.setStatus(
        'awaiting-human',
        `after round ${ledger.round}: waiting for a person until ${until}`,
        until,
      );
      await condition(() => ledger.humanMessages > before, wait.timeoutMs);
    },
    convergenceWatch() {
      // Only a council with `convergence` asks: others record no marker and replay as before.
      const config = context.convergence;
      if (!config || !patched(DEBATE_CONVERGENCE_PATCH)) return undefined;
      return new ConvergenceWatch(config, context.debateRounds);
    },
    readPositions() {
      const experts = context.activeExperts.filter((expert) => !ledger.failed.has(expert.id));
      const outputs = experts.map((expert) => ledger.outputs[expert.id]);
      const answers = Object.fromEntries(
        outputs.map((o) => [o?.expertId, o?.round === ledger.round ? o.content : undefined]),
      );
      const tokensUsed = Object.values(ledger.outputs).reduce((sum, o) => sum + o.tokenUsage.totalTokens, 0);
      return { experts: experts.map((expert) => expert.id), answers, tokensUsed };
    },
    concluded(result) {
      ledger.convergence = result;
      ledger.setStatus('running', `debate ended: ${result.stopReason} after ${result.debateRounds} round(s)`);
    },
  };
}

/**
 * The synthesizer's conclusion, told who failed and (after peer review) how the experts ranked each
 * other. Skipped when no expert gave an answer.
 */
export async function synthesize(
  ledger: CouncilLedger,
  ids: CallIds,
  peerReview?: PeerReviewResult,
  budget?: BudgetGate,
): Promise<SynthesisOutput> {
  stopIfCancelled();
  const { synthesisConfig: config, task } = ledger.context;
  // Late answers (after a quorum or deadline closed their round) stay out: the round went on without them.
  const outputs = Object.values(ledger.outputs).filter((output) => output.late !== true);
  const base = { synthesizerName: config.name, content: '', tokenUsage: { ...ZERO_USAGE } };
  if (outputs.every((output) => output.content === '')) {
    ledger.setStatus('synthesizing', 'skipped: no expert gave an answer');
    return { ...base, status: 'skipped', error: { type: 'NoAnswers', message: 'every expert failed' } };
  }
  ledger.setStatus('synthesizing', `${config.name} writes the conclusion`);
  const messages = ledger.messages.filter((message) => message.late !== true);
  const material = { task, outputs, messages, ...(peerReview && { peerReview }) };
  const prompt = synthesisPrompt(config, material);
  const site = { round: ledger.round, phase: 'synthesis', participant: config.name };
  const outcome = await callModel(config, prompt, { site, ids, budget });
  if (outcome.status !== 'ok') return { ...base, status: 'failed', error: outcome.error };
  const { content, tokenUsage, servedBy } = outcome.response;
  return { ...base, status: 'done', content, tokenUsage, ...(servedBy && { servedBy }) };
}
