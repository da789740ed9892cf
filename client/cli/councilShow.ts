import type { Client } from '@temporalio/client';
import { HUMAN_SENDER_ID, type ExpertMessageData } from '../../common/council';
import { ZERO_USAGE } from '../../common/llm';
import type { PeerReviewResult } from '../../common/peerReview';
import { audienceLine } from '../../common/councilRouting';
import { councilHumanMessages, readCouncilProgress, readCouncilResult } from '../api/councilRead';
import type { ExecutionResult } from '../api/councilTypes';
import type { FoundRun } from '../api/runs';
import { shownContexts, shownContextsJson } from '../api/shownContext';
import { messageJsonOf, showHeadOf } from './jsonOutput';
import { formatBudget } from './estimate';
import { describeWebhookOutcome } from '../../common/messageWebhook';
import { formatAnswer, formatUsage, totalUsage, type AnswerRow, type Output } from './output';
import { printable } from '../../common/printable';
import { CouncilStatusKey } from '../../common/searchAttributes';
import { readConversation, type CouncilConversation } from '../api/conversation';
import type { ConversationMessage } from '../../common/conversation';
import { formatMessages } from './councilConversation';

/**
 * `council show` for a council: its result once it completed, else where it is (or how it ended)
 * and the messages so far. Read-only: it never waits for the council.
 */
export async function showCouncil(client: Client, found: FoundRun, out: Output): Promise<void> {
  const { description } = found;
  const id = description.workflowId;
  const status = description.status.name.toLowerCase();
  const head = showHeadOf('council', description);
  if (description.status.name === 'COMPLETED') {
    const result = await readCouncilResult(client, id);
    // Several rounds' text shows the earlier turns: one read of the log gives those and the people's.
    const conversation = !out.json && result.rounds > 1 ? await readConversation(client, id) : undefined;
    const people = conversation ? peopleIn(conversation) : await councilHumanMessages(client, id);
    const rows = councilRows(result);
    // Temporal's status is `completed` whether or not the council concluded: its own says which.
    const councilStatus = description.typedSearchAttributes.get(CouncilStatusKey) ?? 'completed';
    if (out.json) {
      return out.result({
        ...head,
        councilStatus,
        mode: result.mode,
        task: result.task,
        rounds: result.rounds,
        responses: rows,
        synthesis: synthesisRow(result.synthesis),
        usage: totalUsage(rows),
        ...(result.messages ? { messages: result.messages.map(messageJsonOf) } : {}),
        ...(result.messages &&
          result.contextRefs && {
            conversationContext: shownContextsJson(
              shownContexts(
                { outputs: result.outputs, messages: result.messages },
                result.contextRefs,
                (m) => m,
              ),
            ),
          }),
        humanMessages: people.map(({ message, round }) => ({ round, message: messageJsonOf(message) })),
        ...peerReviewFields(result),
        ...(result.convergence && { convergence: result.convergence }),
        ...(result.continuedFrom !== undefined && { continuedFrom: result.continuedFrom }),
        ...(result.budget && { budget: result.budget }),
        ...(result.messageWebhook && { messageWebhook: result.messageWebhook }),
      });
    }
    const ending = councilStatus === 'no-conclusion' ? `${status} with no conclusion` : status;
    out.say(`Council ${id}: ${result.mode}, ${ending}, ${result.rounds} round(s)`);
    if (result.continuedFrom !== undefined) out.say(`Continued from: ${printable(result.continuedFrom)}`);
    out.say(`Task: ${printable(result.task)}\n`);
    const earlier = conversation ? earlierTurns(conversation, result) : [];
    if (conversation && earlier.length > 0) {
      out.say(`Earlier turns (${earlier.length}); each expert's latest position follows them:`);
      out.say(`${formatMessages(earlier, out.width, conversation.messages)}\n`);
    }
    // People's messages after the experts' answers, before the review and synthesis that read them.
    for (const row of rows.slice(0, -1)) out.say(formatAnswer(row, out.width));
    for (const { message, round } of people) out.say(formatAnswer(personRow(message, round), out.width));
    const review = formatPeerReview(result);
    if (review) out.say(review);
    for (const row of rows.slice(-1)) out.say(formatAnswer(row, out.width));
    const elapsedMs = (description.closeTime?.getTime() ?? Date.now()) - description.startTime.getTime();
    out.say(formatUsage(councilRows(result), elapsedMs));
    if (result.budget) out.say(formatBudget(result.budget));
    if (result.messageWebhook) out.say(describeWebhookOutcome(result.messageWebhook));
    return;
  }
  // A council cancelled, terminated or failed keeps the messages its experts wrote: its log says them.
  const running = description.status.name === 'RUNNING';
  const progress = await readCouncilProgress(client, id);
  if (out.json) {
    const people = await councilHumanMessages(client, id);
    return out.result({
      ...head,
      councilStatus: progress.status,
      rounds: progress.round,
      messages: progress.messages.map(messageJsonOf),
      humanMessages: people.map(({ message, round }) => ({ round, message: messageJsonOf(message) })),
      inboxes: progress.inboxes,
    });
  }
  // Each under its round, type and audience, as a completed council's earlier turns are shown.
  const { messages } = await readConversation(client, id);
  const state = running ? progress.status : `${status}, no result`;
  const count = `${messages.length} message(s)${running ? ' so far' : ''}`;
  out.say(`Council ${id}: ${state}, round ${progress.round}, ${count}`);
  if (messages.length > 0) out.say(formatMessages(messages, out.width));
  // Each expert's inbox: what waits for its next turn (urgent messages it will read first).
  const inboxes = Object.entries(progress.inboxes ?? {}).map(
    ([expertId, ids]) => `${expertId} ${ids.length}`,
  );
  if (running && inboxes.length > 0) out.say(printable(`\nWaiting in inboxes: ${inboxes.join(', ')}`));
}

/**
 * The experts' messages a council's result does not hold: every turn but each expert's latest
 * position, its last message with the position's text (the output's round may be a later
 * critique's). A debate's openings and critiques, say. People's messages are printed apart.
 */
function earlierTurns(
  conversation: CouncilConversation,
  result: Pick<ExecutionResult, 'outputs'>,
): ConversationMessage[] {
  const positions = new Map<string, ConversationMessage>();
  for (const message of [...conversation.messages].reverse()) {
    const latest = result.outputs[message.sender];
    if (latest && !positions.has(message.sender) && latest.content === message.content) {
      positions.set(message.sender, message);
    }
  }
  const shownLater = new Set(positions.values());
  return conversation.messages.filter(
    (message) => message.sender !== HUMAN_SENDER_ID && !shownLater.has(message),
  );
}

/** The people's messages of this council (not those carried over), each after its round. */
function peopleIn(conversation: CouncilConversation): Array<{ message: ExpertMessageData; round: number }> {
  return conversation.messages
    .filter((message) => message.sender === HUMAN_SENDER_ID && message.carried !== true)
    .map((message) => ({ message, round: message.round }));
}

/** A person's message as `show` prints it: who, to whom, after which round. */
function personRow(message: ExpertMessageData, round: number): AnswerRow {
  const to = audienceLine(message);
  return {
    name: message.senderName,
    role: `person, ${to}, after round ${round}`,
    status: 'ok',
    content: message.content,
    tokenUsage: { ...ZERO_USAGE },
  };
}

/** The experts' outcomes and the synthesis as rows, in the order the caller listed the experts. */
export function councilRows(result: Pick<ExecutionResult, 'outputs' | 'synthesis'>): AnswerRow[] {
  const experts: AnswerRow[] = Object.values(result.outputs).map((output) => ({
    name: output.expertName,
    // A late answer came after a quorum or deadline closed its round: the synthesis did not see it.
    // A hedged one came from the backup: the expert's own call straggled and was cancelled.
    role:
      output.late === true
        ? 'expert, late (left out of the synthesis)'
        : output.hedgedBy
          ? `expert, answered by its backup ${output.hedgedBy}`
          : 'expert',
    status: output.status === 'done' ? 'ok' : output.status,
    content: output.content,
    tokenUsage: output.tokenUsage,
    ...(output.error ? { error: output.error } : {}),
    ...(output.servedBy && { servedBy: output.servedBy }),
    ...(output.hedgedBy && { hedgedBy: output.hedgedBy }),
    ...(output.costUsd !== undefined && { costUsd: output.costUsd }),
    ...(output.downgradedTo && { downgradedTo: output.downgradedTo }),
  }));
  return [...experts, synthesisRow(result.synthesis)];
}

/** The synthesizer's outcome as a row. */
export function synthesisRow(synthesis: ExecutionResult['synthesis']): AnswerRow {
  const status = synthesis.status === 'done' ? 'ok' : synthesis.status === 'failed' ? 'failed' : 'skipped';
  return {
    name: synthesis.synthesizerName,
    role: 'synthesizer',
    status,
    content: synthesis.content,
    tokenUsage: synthesis.tokenUsage,
    ...(synthesis.error ? { error: synthesis.error } : {}),
    ...(synthesis.servedBy && { servedBy: synthesis.servedBy }),
    ...(synthesis.costUsd !== undefined && { costUsd: synthesis.costUsd }),
    ...(synthesis.downgradedTo && { downgradedTo: synthesis.downgradedTo }),
  };
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
