import type { Expert } from '../../../common/council';
import { FailureType } from '../../../common/failures';
import { addUsage, ZERO_USAGE, type ChatMessage, type TokenUsage } from '../../../common/llm';
import {
  PEER_REVIEW_LIMITS,
  type PeerReviewConfig,
  type PeerReviewResult,
  type ReviewerRanking,
  type ShownAnswer,
} from '../../../common/peerReview';
import { chargeOf, type BudgetGate } from '../../shared/budget';
import type { CallIds, CallSite } from '../../shared/callIds';
import { callModel } from '../../shared/callModel';
import type { CouncilLedger } from '../ledger';
import { aggregateRanking, positionBias, type Candidate } from './aggregate';
import { parseRanking } from './parse';
import { answersBudget, retryPrompt, reviewPrompt } from './prompt';
import { responseLabel, seededShuffle } from './shuffle';

/**
 * Patch id of peer review. It issues new commands only when `peerReview` is configured (older
 * workers refused such a config), and `patched()` guards them as well: a history recorded before
 * peer review existed replays on the path without it.
 */
export const PEER_REVIEW_PATCH = 'council-peer-review';

/** What one reviewer's calls share: the run's ids, the round, the seed of its shuffle. */
interface ReviewRun {
  ledger: CouncilLedger;
  ids: CallIds;
  config: PeerReviewConfig;
  candidates: Candidate[];
  budget: number;
  /** The council's budget gate, when it has a budget: every review call reserves from it. */
  gate?: BudgetGate;
  /** Seeds every reviewer's shuffle: the workflow id, so each run has its own orders. */
  runSeed: string;
}

/** One model call of a review; its id is `r<round>.review.<expert>` (`.retry` after it on the retry). */
async function reviewCall(run: ReviewRun, expert: Expert, messages: ChatMessage[], retry: boolean) {
  const site: CallSite = {
    round: run.ledger.round,
    phase: 'review',
    participant: retry ? `${expert.id}.retry` : expert.id,
    label: retry ? `${expert.name} (retry)` : expert.name,
  };
  return callModel(expert, messages, {
    site,
    ids: run.ids,
    responseFormat: 'json',
    maxAnswerBytes: PEER_REVIEW_LIMITS.maxReviewAnswerBytes,
    budget: run.gate,
  });
}

/**
 * One reviewer ranks the other answers: shown shuffled under labels, read as JSON, retried once
 * when unreadable, then recorded as abstained. Never throws for the reviewer's failure.
 */
async function review(run: ReviewRun, expert: Expert): Promise<ReviewerRanking> {
  const { ledger } = run;
  const others = run.candidates.filter((candidate) => candidate.expertId !== expert.id);
  const order = seededShuffle(others, `${run.runSeed}|r${ledger.round}|${expert.id}`);
  const shown: ShownAnswer[] = order.map((c, i) => ({ label: responseLabel(i), ...c }));
  const base = { reviewerId: expert.id, reviewerName: expert.name, ranking: [], shown };
  if (shown.length < 2) {
    const problem = `only ${shown.length} other answer to rank: a ranking needs two`;
    return { ...base, status: 'skipped', attempts: 0, problem, tokenUsage: { ...ZERO_USAGE } };
  }
  const labels = shown.map((s) => s.label);
  const messages = reviewPrompt({
    task: ledger.context.task,
    reviewerName: expert.name,
    councilSize: ledger.context.activeExperts.length,
    rubric: run.config.rubric,
    answers: shown.map((s) => ({ label: s.label, content: ledger.outputs[s.expertId]?.content ?? '' })),
    budget: run.budget,
  });
  let usage: TokenUsage = { ...ZERO_USAGE };
  let problem = '';
  let lastAnswer = '';
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    ledger.expertStarted(expert, 'review');
    const request = attempt === 1 ? messages : retryPrompt(messages, lastAnswer, problem);
    const outcome = await reviewCall(run, expert, request, attempt === 2);
    if (outcome.status !== 'ok') {
      ledger.reviewEnded(expert, ZERO_USAGE, outcome.error, chargeOf(outcome));
      return {
        ...base,
        status: 'failed',
        attempts: attempt,
        problem: `${outcome.error.type}: ${outcome.error.message}`,
        tokenUsage: usage,
      };
    }
    usage = addUsage(usage, outcome.response.tokenUsage);
    const parsed = parseRanking(outcome.response.content, labels);
    if (parsed.ok) {
      ledger.reviewEnded(expert, outcome.response.tokenUsage, undefined, chargeOf(outcome));
      const ranking = parsed.order.flatMap((index) => shown[index] ?? []);
      const rationale = parsed.rationale !== undefined ? { rationale: parsed.rationale } : {};
      return { ...base, status: 'ranked', ranking, ...rationale, attempts: attempt, tokenUsage: usage };
    }
    problem = parsed.problem;
    lastAnswer = outcome.response.content;
    const error = { type: FailureType.UnreadableRanking, message: problem };
    ledger.reviewEnded(expert, outcome.response.tokenUsage, error, chargeOf(outcome));
  }
  return { ...base, status: 'abstained', attempts: 2, problem, tokenUsage: usage };
}

/**
 * Peer review: every reviewer (each expert by default; not one whose model failed) ranks the other
 * experts' answers, all reviewers at once. Each sees the answers under "Response A, B, …" in its own
 * order, shuffled from `runSeed`, the round and its id; it never sees a name or its own answer.
 */
export async function peerReview(
  ledger: CouncilLedger,
  ids: CallIds,
  config: PeerReviewConfig,
  runSeed: string,
  gate?: BudgetGate,
): Promise<PeerReviewResult> {
  const { activeExperts } = ledger.context;
  const candidates = activeExperts
    .filter((expert) => (ledger.outputs[expert.id]?.content ?? '') !== '')
    .map((expert) => ({ expertId: expert.id, expertName: expert.name }));
  const chosen = config.reviewers ?? activeExperts.map((expert) => expert.id);
  const reviewers = activeExperts.filter((e) => chosen.includes(e.id) && !ledger.failed.has(e.id));
  ledger.setStatus(
    'running',
    `peer review: ${reviewers.length} reviewer(s) rank ${candidates.length} answers`,
  );
  const run: ReviewRun = {
    ledger,
    ids,
    config,
    candidates,
    budget: answersBudget(reviewers.length),
    runSeed,
    ...(gate && { gate }),
  };
  const reviews = await Promise.all(reviewers.map((expert) => review(run, expert)));
  return {
    rankings: Object.fromEntries(reviews.map((r) => [r.reviewerId, r])),
    aggregateRanking: aggregateRanking(candidates, reviews),
    positionBias: positionBias(reviews),
  };
}
