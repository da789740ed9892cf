import { LIMITS } from '../../../common/defaults';
import type { ChatMessage } from '../../../common/llm';
import { PEER_REVIEW_LIMITS } from '../../../common/peerReview';
import { shareOut } from '../../../common/size';
import { QUOTED_TEXT_NOTICE, quotedBlock } from '../../shared/untrusted';

/** The rubric every reviewer gets when the config gives none. */
export const DEFAULT_RUBRIC =
  'Judge each response on how correct, well reasoned and useful it is for the task, and on whether ' +
  'it says plainly what it does not know.';

/** The one shape of answer a reviewer may give. */
const ANSWER_FORMAT =
  'Answer with a JSON object only: {"ranking": ["Response B", "Response A", …], "rationale": "one or ' +
  'two sentences"}. "ranking" lists every response shown, each exactly once, best first.';

/** What one reviewer is shown: the task, and the answers under their labels in shown order. */
export interface ReviewMaterial {
  task: string;
  reviewerName: string;
  councilSize: number;
  rubric?: string;
  answers: ReadonlyArray<{ label: string; content: string }>;
  /** Bytes the shown answers may take together (see {@link answersBudget}). */
  budget: number;
}

/**
 * Bytes the shown answers of one review prompt may take: a fair share of a round's prompts
 * (LIMITS.maxRoundPromptBytes) among the reviewers, at most one turn (LIMITS.maxTurnBytes), and never
 * less than PEER_REVIEW_LIMITS.minAnswersBytesPerPrompt so each answer keeps something to judge.
 */
export function answersBudget(reviewers: number): number {
  const share = Math.floor(LIMITS.maxRoundPromptBytes / Math.max(1, reviewers));
  return Math.max(PEER_REVIEW_LIMITS.minAnswersBytesPerPrompt, Math.min(LIMITS.maxTurnBytes, share));
}

/**
 * A reviewer's request. It names no expert: the answers appear only under their labels, fenced as
 * quoted data, and the reviewer's own answer is not among them (the caller leaves it out). The
 * reviewer's own name is in the identity line only, as in every council call.
 */
export function reviewPrompt(material: ReviewMaterial): ChatMessage[] {
  const contents = shareOut(
    material.answers.map((answer) => answer.content),
    material.budget,
    (kept, all) => `\n\n[council: shortened to ${kept} of ${all} bytes to fit this prompt]`,
  ).texts;
  const labels = material.answers.map((answer) => answer.label);
  const blocks = material.answers.map((answer, i) => quotedBlock('###', answer.label, [], contents[i] ?? ''));
  const system = [
    `You are ${material.reviewerName}, taking part as a reviewer in a council of ${material.councilSize}.`,
    'Other experts answered the task below. You are shown their answers without their names, ' +
      'in an order that means nothing: do not guess who wrote which, and do not favour a response ' +
      'for where it appears.',
    `Rubric: ${material.rubric?.trim() || DEFAULT_RUBRIC}`,
    ANSWER_FORMAT,
  ];
  const user = [
    `# Task\n${material.task}`,
    QUOTED_TEXT_NOTICE,
    `## Responses to rank\n\n${blocks.join('\n\n')}`,
    `## Your ranking\nRank all ${labels.length} responses (${labels.join(', ')}), best first.`,
  ];
  return [
    { role: 'system', content: system.join('\n\n') },
    { role: 'user', content: user.join('\n\n') },
  ];
}

/**
 * The retry after an unreadable ranking: the same request, the reviewer's answer (cut) and what was
 * wrong with it. Only one retry is made, so this never nests.
 */
export function retryPrompt(first: readonly ChatMessage[], answer: string, problem: string): ChatMessage[] {
  const echoed = answer.slice(0, PEER_REVIEW_LIMITS.maxEchoedAnswerChars);
  const why = problem.slice(0, PEER_REVIEW_LIMITS.maxEchoedAnswerChars);
  return [
    ...first,
    { role: 'assistant', content: echoed || '(empty answer)' },
    {
      role: 'user',
      content: `Your answer could not be read as a ranking: ${why}. ${ANSWER_FORMAT}`,
    },
  ];
}
