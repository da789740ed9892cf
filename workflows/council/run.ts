import { CancellationScope, CancelledFailure } from '@temporalio/workflow';
import { patched } from '../shared/patches';
import { debateRoundsOf, type SynthesisOutput } from '../../common/council';
import type { PeerReviewResult } from '../../common/peerReview';
import { ZERO_USAGE } from '../../common/llm';
import type { CallIds } from '../shared/callIds';
import { callModel } from '../shared/callModel';
import { chargeOf, type BudgetGate } from '../shared/budget';
import { ConvergenceWatch, DEBATE_CONVERGENCE_PATCH } from './convergence';
import { HumanWait } from './humanWait';
import type { CouncilLedger } from './ledger';
import type { CouncilModeRunner, ModeContext } from './modes';
import type { RoundCloser } from './quorum';
import { synthesisPrompt } from './synthesis';
import type { ExpertCalls } from './skip';
import { takeTurn } from './turn';

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
 * Plays a council's rounds: its mode's runner against a {@link ModeContext} backed by the ledger,
 * then the wait for a person a council of one round still owes (see {@link HumanWait}).
 */
export async function playRounds(
  runner: CouncilModeRunner,
  ledger: CouncilLedger,
  ids: CallIds,
  closer: RoundCloser,
  budget?: BudgetGate,
  calls?: ExpertCalls,
): Promise<void> {
  const waits = new HumanWait(ledger, ledger.context.awaitHumanBetweenRounds);
  await runner.run(modeContext(ledger, ids, closer, waits, budget, calls));
  await waits.roundsOver();
}

/** The {@link ModeContext} a mode runs against, backed by the ledger. */
function modeContext(
  ledger: CouncilLedger,
  ids: CallIds,
  closer: RoundCloser,
  waits: HumanWait,
  budget?: BudgetGate,
  calls?: ExpertCalls,
): ModeContext {
  const { context } = ledger;
  const spent = () => Boolean(budget?.ledger.exhausted) && patched(BUDGET_ENDS_ROUNDS_PATCH);
  return {
    experts: context.activeExperts,
    debateRounds: debateRoundsOf(context),
    active: () => context.activeExperts.filter((expert) => !ledger.failed.has(expert.id)),
    spent,
    async beginRound(detail) {
      // A spent budget ends the experts' turns: no round after it is opened (counted, announced, or
      // waited for a person before), and its turns are skipped for the budget.
      if (spent()) return ledger.round;
      await waits.roundOpens();
      stopIfCancelled();
      ledger.round += 1;
      ledger.setStatus('running', `round ${ledger.round}: ${detail}`);
      return ledger.round;
    },
    // A spent budget ends the experts' turns: none is taken (or refused) after it, what was said stays.
    turn: (expert, phase) => {
      if (!budget?.ledger.exhausted) return takeTurn(ledger, ids, expert, phase, budget, calls);
      ledger.expertNotCalled(expert);
      return Promise.resolve(false);
    },
    gather: (turns) => closer.close(ledger, turns),
    endRound: () => waits.roundClosed(),
    convergenceWatch() {
      // Only a council with `convergence` asks: others record no marker and replay as before.
      const config = context.convergence;
      if (!config || !patched(DEBATE_CONVERGENCE_PATCH)) return undefined;
      return new ConvergenceWatch(config, debateRoundsOf(context));
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
 * Patch id of the `no-conclusion` status. Before it a council whose synthesis was skipped or failed
 * ended `completed`, like one that concluded; only such a council calls `patched()`, so every other
 * records no marker and replays as before.
 */
export const NO_CONCLUSION_PATCH = 'no-conclusion-status';

/**
 * Patch id of the change that opens no round once the budget is spent. Before it, a debate whose
 * budget ran out in round 2 of 4 opened rounds 3 and 4 with no call in them: its result said 4
 * rounds, and a council waiting for people between rounds waited before each. Only a council whose
 * budget is spent when a round would open calls `patched()`.
 */
export const BUDGET_ENDS_ROUNDS_PATCH = 'budget-ends-rounds';

/**
 * The council's last status: `completed` with its conclusion, else `no-conclusion` and why. `outcome`
 * is what its budget did, appended to the detail.
 */
export function endCouncil(ledger: CouncilLedger, synthesis: SynthesisOutput, outcome: string): void {
  const failed = `${ledger.failed.size} of ${ledger.context.activeExperts.length} experts failed`;
  if (synthesis.status === 'done' || !patched(NO_CONCLUSION_PATCH)) {
    ledger.setStatus('completed', `${failed}${outcome}`);
    return;
  }
  const why =
    synthesis.status === 'skipped'
      ? 'no expert gave an answer'
      : `the synthesis failed (${synthesis.error?.type ?? 'no reason given'})`;
  ledger.setStatus('no-conclusion', `${failed}; no conclusion: ${why}${outcome}`);
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
  const charge = chargeOf(outcome);
  if (outcome.status !== 'ok') return { ...base, status: 'failed', error: outcome.error, ...charge };
  const { content, tokenUsage, servedBy } = outcome.response;
  return { ...base, status: 'done', content, tokenUsage, ...(servedBy && { servedBy }), ...charge };
}
