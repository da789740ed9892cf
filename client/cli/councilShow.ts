import type { CouncilWorkflowResult } from '../../common/council';
import type { PeerReviewResult } from '../../common/peerReview';
import { councilProgressQuery } from '../../common/councilApi';
import type { ExecutionResult } from '../council';
import { formatAnswer, formatUsage, type AnswerRow, type Output } from './output';
import type { FoundWorkflow } from './workflows';
import { printable } from './sanitize';

/**
 * `session show` for a council: its result once it completed, else where it is and the messages so
 * far. Read-only: it never waits for the council.
 */
export async function showCouncil(found: FoundWorkflow, out: Output): Promise<void> {
  const { handle, description } = found;
  const id = description.workflowId;
  const status = description.status.name.toLowerCase();
  if (description.status.name === 'COMPLETED') {
    const result = (await handle.result()) as CouncilWorkflowResult;
    if (out.json) return out.result({ id, kind: 'council', status, result });
    out.say(`Council ${id}: ${result.mode}, ${status}, ${result.rounds} round(s)`);
    out.say(`Task: ${result.task}\n`);
    for (const row of councilRows(result)) out.say(formatAnswer(row));
    const review = formatPeerReview(result);
    if (review) out.say(review);
    const elapsedMs = (description.closeTime?.getTime() ?? Date.now()) - description.startTime.getTime();
    out.say(formatUsage(councilRows(result), elapsedMs));
    return;
  }
  if (description.status.name !== 'RUNNING') {
    if (out.json) return out.result({ id, kind: 'council', status });
    return out.say(`Council ${id}: ${status}, no result`);
  }
  const progress = await handle.query(councilProgressQuery, { fromEvent: 0 });
  if (out.json) return out.result({ id, kind: 'council', status, progress });
  out.say(
    `Council ${id}: ${progress.status}, round ${progress.round}, ${progress.messages.length} message(s) so far`,
  );
  for (const message of progress.messages)
    out.say(printable(`\n${message.senderName} [${message.type}]\n${message.content}`));
}

/** The experts' outcomes and the synthesis as rows, in the order the caller listed the experts. */
export function councilRows(result: Pick<ExecutionResult, 'outputs' | 'synthesis'>): AnswerRow[] {
  const experts: AnswerRow[] = Object.values(result.outputs).map((output) => ({
    name: output.expertName,
    role: 'expert',
    status: output.status === 'done' ? 'ok' : 'failed',
    content: output.content,
    tokenUsage: output.tokenUsage,
    ...(output.error ? { error: output.error } : {}),
  }));
  const { synthesis } = result;
  const status = synthesis.status === 'done' ? 'ok' : synthesis.status === 'failed' ? 'failed' : 'skipped';
  const row: AnswerRow = {
    name: synthesis.synthesizerName,
    role: 'synthesizer',
    status,
    content: synthesis.content,
    tokenUsage: synthesis.tokenUsage,
    ...(synthesis.error ? { error: synthesis.error } : {}),
  };
  return [...experts, row];
}

/** The peer review fields of a result, for `--json` output: present only when peer review ran. */
export function peerReviewFields(result: Partial<PeerReviewResult>): Partial<PeerReviewResult> {
  const { rankings, aggregateRanking, positionBias } = result;
  return rankings && aggregateRanking && positionBias ? { rankings, aggregateRanking, positionBias } : {};
}

/** The aggregate ranking, the position-bias figure and who did not rank, as lines; '' without a review. */
export function formatPeerReview(result: Partial<PeerReviewResult>): string {
  const { rankings, aggregateRanking, positionBias } = result;
  if (!rankings || !aggregateRanking || !positionBias) return '';
  const places = aggregateRanking.map(
    (entry) =>
      `${entry.place}. ${entry.expertName}: ${entry.borda} Borda points, mean rank ${entry.meanRank ?? '-'}` +
      ` (${entry.votes} ranking(s))${entry.tied ? ', tied' : ''}`,
  );
  const bias = positionBias.byShownPosition.map((p) => `#${p.position} ${p.meanRank}`).join(', ');
  const missing = Object.values(rankings)
    .filter((review) => review.status !== 'ranked')
    .map((review) => `${review.reviewerName} ${review.status}: ${review.problem ?? ''}`);
  const lines = [
    '\n── Peer review (anonymous) ──',
    ...places,
    `Position bias: correlation ${positionBias.correlation ?? '-'} over ${positionBias.rankings} ranking(s)` +
      (bias ? `; mean rank by shown position: ${bias}` : ''),
    ...missing,
  ];
  return printable(lines.join('\n'));
}
