import type { Client } from '@temporalio/client';
import type { CouncilContextInput } from '../../common/council';
import { COUNCIL_PROGRESS_LIMITS } from '../../common/councilApi';
import type { PriorConversation } from '../../common/savedConversation';
import { startCouncil } from '../api/council';
import { attachCouncil } from '../api/councilAttach';
import { type ExecutionResult } from '../api/councilTypes';
import { shownContextsJson } from '../api/shownContext';
import { CouncilBoard } from './councilBoard';
import { councilRows, formatPeerReview, peerReviewFields, synthesisRow } from './councilShow';
import { eventsOf } from './events';
import { formatBudget } from './estimate';
import { describeWebhookOutcome } from '../../common/messageWebhook';
import { messageJsonOf, type HumanMessageJson } from './jsonOutput';
import {
  exitCodeOf,
  formatAnswer,
  formatUsage,
  outcomeOf,
  totalUsage,
  type ExitCode,
  type Output,
} from './output';
import { progressRendererFor } from './progress';
import type { CliRuntime } from '../runtime/commandRuntime';
import type { FoundRun } from '../api/runs';
import { asIdTaken } from './workflows';
import type { SessionRunMeta } from './sessionRun';
import { followingRun } from './exitCode';

/** What a `run` of a council needs. */
export interface CouncilRunStart {
  id: string;
  taskQueue: string;
  context: Omit<CouncilContextInput, 'task'>;
  task: string;
  simulated: boolean;
  startedMs: number;
  /** The earlier conversation the council goes on from (`run --from`, `--from-run`). */
  continueFrom?: PriorConversation;
}

/** Starts a council, follows it to its end and prints its result; returns the exit code. */
export async function runCouncil(
  runtime: CliRuntime,
  out: Output,
  start: CouncilRunStart,
  onStarted: () => void,
): Promise<ExitCode> {
  try {
    await startCouncil(
      runtime.client,
      { ...start.context, task: start.task },
      {
        councilId: start.id,
        taskQueue: start.taskQueue,
        ...(start.continueFrom && { continueFrom: start.continueFrom }),
      },
    );
  } catch (error) {
    throw await asIdTaken(runtime.client, start.id, error);
  }
  onStarted();
  return followCouncil(runtime.client, start.id, out, start.simulated, {
    startedMs: start.startedMs,
    carried: start.continueFrom?.messages,
  });
}

/**
 * When a council began, and ended if it had before this command (an attach to a closed one); the
 * messages it carried over, when this command started it from them.
 */
type RunTiming = Pick<SessionRunMeta, 'startedMs' | 'endedMs'> & {
  carried?: PriorConversation['messages'] | undefined;
};

/** `attach` to a council: its progress log is replayed from the start, then followed live. */
export function attachCouncilRun(
  client: Client,
  found: FoundRun,
  out: Output,
  simulated: boolean,
): Promise<ExitCode> {
  return followCouncil(client, found.description.workflowId, out, simulated, {
    startedMs: found.description.startTime.getTime(),
    endedMs: found.description.closeTime?.getTime(),
  });
}

async function followCouncil(
  client: Client,
  id: string,
  out: Output,
  simulated: boolean,
  timing: RunTiming,
): Promise<ExitCode> {
  const renderer = progressRendererFor(out);
  const board = new CouncilBoard(renderer, id);
  if (timing.carried) board.carried(timing.carried);
  const people: HumanMessageJson[] = [];
  const handle = client.workflow.getHandle(id);
  // Retries show up only in the pending activities of the workflow's description.
  const retries = setInterval(() => void board.pollRetries(handle).catch(() => undefined), 500);
  let result: ExecutionResult;
  try {
    result = await attachCouncil(client, id, {
      onExpertUpdate: (_expertId, update) => board.expert(update),
      onStatusUpdate: (status, update) => board.status(status, update),
      onHumanMessage: (message, update) => {
        people.push({ round: update.round, message: messageJsonOf(message) });
        board.human(message);
      },
      onToken: (event) => board.text(event),
      onEventsDropped: ({ fromEvent, firstEvent }) =>
        out.say(
          `council ${id}: events ${fromEvent}-${firstEvent - 1} of its progress log are no longer held ` +
            `(it keeps the newest ${COUNCIL_PROGRESS_LIMITS.maxEvents}): the turns they logged are not ` +
            `shown; following from event ${firstEvent}`,
        ),
      pollIntervalMs: 300,
    });
    board.synthesized(result, timing.endedMs);
  } finally {
    clearInterval(retries);
    renderer.stop();
  }
  return reportCouncil(result, out, { simulated, timing, people });
}

function reportCouncil(
  result: ExecutionResult,
  out: Output,
  { simulated, timing, people }: { simulated: boolean; timing: RunTiming; people: HumanMessageJson[] },
): ExitCode {
  // The result is in: an output closed from here on cuts a report, not a run that goes on.
  followingRun(undefined);
  const rows = councilRows(result);
  const exitCode = exitCodeOf(rows);
  const elapsedMs = (timing.endedMs ?? Date.now()) - timing.startedMs;
  eventsOf(out)?.({ type: 'synthesis', ...synthesisRow(result.synthesis) });
  if (out.json) {
    out.result({
      type: 'council-result',
      id: result.councilId,
      kind: 'council',
      mode: result.mode,
      task: result.task,
      simulated,
      status: outcomeOf(exitCode),
      exitCode,
      rounds: result.rounds,
      responses: rows,
      synthesis: synthesisRow(result.synthesis),
      usage: totalUsage(rows),
      elapsedMs,
      ...(result.messages ? { messages: result.messages.map(messageJsonOf) } : {}),
      ...(result.conversationContext && {
        conversationContext: shownContextsJson(result.conversationContext),
      }),
      humanMessages: people,
      ...peerReviewFields(result),
      ...(result.convergence && { convergence: result.convergence }),
      ...(result.resynthesizedFrom !== undefined && { resynthesizedFrom: result.resynthesizedFrom }),
      ...(result.continuedFrom !== undefined && { continuedFrom: result.continuedFrom }),
      ...(result.budget && { budget: result.budget }),
      ...(result.messageWebhook && { messageWebhook: result.messageWebhook }),
    });
    return exitCode;
  }
  const review = formatPeerReview(result);
  if (review) out.say(review);
  const ended = result.convergence;
  if (ended) {
    out.say(
      `\nDebate ended: ${ended.stopReason} after ${ended.debateRounds} round(s), agreement ${ended.agreement}` +
        `, ${ended.roundsSkipped} round(s) skipped, about ${ended.tokensSaved} tokens saved`,
    );
  }
  const synthesis = rows[rows.length - 1];
  if (synthesis) out.say(`\n── Synthesis ──\n${formatAnswer(synthesis, out.width)}`);
  out.say(formatUsage(rows, elapsedMs));
  if (result.budget) out.say(formatBudget(result.budget));
  if (result.messageWebhook) out.say(describeWebhookOutcome(result.messageWebhook));
  return exitCode;
}
