import { FailureType } from '../../common/failures';
import {
  HUMAN_SENDER_ID,
  type ExpertMessageData,
  type ExpertOutput,
  type SynthesisConfig,
} from '../../common/council';
import { LIMITS } from '../../common/defaults';
import type { ChatMessage } from '../../common/llm';
import { shareOut } from '../../common/size';
import type { PeerReviewResult } from '../../common/peerReview';
import { audienceNotes } from './history';
import { QUOTED_TEXT_NOTICE, quotedBlock, quotedName } from '../shared/untrusted';

/** What the synthesizer is given: the seed's outputs, critiques and agreements, and who failed. */
export interface SynthesisMaterial {
  task: string;
  outputs: readonly ExpertOutput[];
  messages: readonly ExpertMessageData[];
  /** The experts' anonymous ranking of each other's answers, when peer review ran. */
  peerReview?: PeerReviewResult;
}

const DEFAULT_SYNTHESIS_PROMPT =
  'You turn the work of a council of experts into one conclusion. Weigh the critiques, keep what ' +
  'the experts agree on, and say plainly where they still disagree.';

/**
 * Each message fenced under its author's quoted name: what the synthesizer reads as who said what.
 * The synthesizer sees every message, direct and kept-private ones too, each labelled with its
 * audience: it writes for the person who started the council, who may read the whole transcript
 * anyway. Privacy is between experts, not from the conclusion.
 */
function quoted(messages: readonly ExpertMessageData[], outputs: readonly ExpertOutput[]): string {
  const nameOf = (id: string) => outputs.find((output) => output.expertId === id)?.expertName;
  if (messages.length === 0) return '(none recorded)';
  return messages
    .map((message) =>
      quotedBlock('####', message.senderName, audienceNotes(message, nameOf), message.content),
    )
    .join('\n\n');
}

/** The aggregate ranking as the synthesizer reads it: names quoted, figures plain. */
function peerReviewSection(review: PeerReviewResult): string {
  const reviews = Object.values(review.rankings);
  const ranked = reviews.filter((r) => r.status === 'ranked').length;
  const lines = review.aggregateRanking.map(
    (entry) =>
      `${entry.place}. ${quotedName(entry.expertName)}: ${entry.borda} Borda points, mean rank ` +
      `${entry.meanRank ?? 'none'} over ${entry.votes} ranking(s)${entry.tied ? ' (tied)' : ''}`,
  );
  return [
    '## Peer Review',
    `The experts ranked each other's answers without seeing who wrote them and never their own; ` +
      `${ranked} of ${reviews.length} reviewers gave a ranking. Aggregate, best first (mean rank 1 is best):`,
    ...(lines.length > 0 ? lines : ['(no answers to rank)']),
    "Weigh this as the experts' judgement of each other, not as the truth.",
  ].join('\n');
}

/**
 * The seed's synthesis prompt: outputs, "Critical Analysis", "Consensus Points", people's input,
 * failures. Every answer and message is fenced under its author (workflows/shared/untrusted.ts), so
 * only these headings are sections and no expert can forge another's words or a consensus.
 */
export function synthesisPrompt(config: SynthesisConfig, material: SynthesisMaterial): ChatMessage[] {
  const answered = material.outputs.filter((output) => output.content !== '');
  // The outputs are cut to fair shares of one turn; the other sections come from the transcript,
  // itself bounded, so the request stays far below the payload limit.
  const contents = shareOut(
    answered.map((o) => o.content),
    LIMITS.maxTurnBytes,
    (kept, all) => `\n\n[council: shortened to ${kept} of ${all} bytes to fit this prompt]`,
  ).texts;
  const failed = material.outputs.filter((output) => output.status === 'failed');
  const skipped = material.outputs.filter((output) => output.status === 'skipped');
  const human = material.messages.filter((message) => message.sender === HUMAN_SENDER_ID);
  const outputs = answered
    .map((o, i) => quotedBlock('###', o.expertName, [], contents[i] ?? ''))
    .join('\n\n');
  const sections = [
    `# Task\n${material.task}`,
    QUOTED_TEXT_NOTICE,
    `## Expert Outputs\n\n${outputs || '(none)'}`,
    material.peerReview ? peerReviewSection(material.peerReview) : '',
    `## Critical Analysis\n${quoted(
      material.messages.filter((m) => m.type === 'critique'),
      material.outputs,
    )}`,
    `## Consensus Points\n${quoted(
      material.messages.filter((m) => m.type === 'agreement'),
      material.outputs,
    )}`,
    human.length > 0 ? `## Input from People\n${quoted(human, material.outputs)}` : '',
    failed.length > 0
      ? '## Failed Experts\n' +
        failed
          .map(
            (o) =>
              `- ${quotedName(o.expertName)} (${o.expertId}) failed: ${o.error?.type}: ` +
              // A provider's message is not ours either: one JSON-quoted line.
              JSON.stringify(o.error?.message ?? ''),
          )
          .join('\n') +
        '\nTheir views are missing or incomplete: do not invent them, and say the conclusion lacks them.'
      : '',
    skipped.length > 0
      ? '## Skipped Experts\n' +
        skipped
          .map(
            (o) =>
              `- ${quotedName(o.expertName)} (${o.expertId}) ` +
              (o.error?.type === FailureType.BudgetExhausted
                ? 'was not called: the budget was exhausted before its turn'
                : `was skipped by a person in round ${o.round}`),
          )
          .join('\n') +
        '\nTheir latest turn gave no answer: do not invent it, and say the conclusion lacks it.'
      : '',
    'Synthesize a unified conclusion from the expert outputs, the critical analysis and the consensus points.',
  ];
  const identity = `You are ${config.name}, taking part as synthesizer of the council.`;
  return [
    {
      role: 'system',
      content: [identity, config.systemPrompt?.trim() || DEFAULT_SYNTHESIS_PROMPT].join('\n\n'),
    },
    { role: 'user', content: sections.filter(Boolean).join('\n\n') },
  ];
}
