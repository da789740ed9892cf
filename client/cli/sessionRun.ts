import type { WorkflowHandle, WorkflowUpdateHandle } from '@temporalio/client';
import { formatBudget } from './estimate';
import { progressRendererFor } from './progress';
import type { ParticipantResponse, RoundResult, SessionConfig } from '../../common/session';
import { closeOneRoundSession, SessionIdTakenError, startOneRoundSession } from '../api/oneRoundSession';
import { followSessionRound, rowOf } from './followSession';
import {
  exitCodeOf,
  formatUsage,
  outcomeOf,
  totalUsage,
  type AnswerRow,
  type ExitCode,
  type Output,
  noAnswerText,
} from './output';
import { printable } from '../../common/printable';
import type { CliRuntime } from '../runtime/commandRuntime';
import { asUserError } from '../api/updateRetry';
import type { RunMemo } from '../api/runs';
import { CLI_MEMO_KEY, idTaken } from './workflows';
import { followingRun } from './exitCode';
import type { BudgetLimit } from './events';
import { workflowStatusOf } from './jsonOutput';

/** What a `run` of a session needs to start. */
export interface SessionRunStart {
  id: string;
  taskQueue: string;
  config: SessionConfig;
  question: string;
}

/**
 * Starts the session and sends its question in one call, through the library
 * ({@link startOneRoundSession}): a run killed right after starting still has its round, and
 * `attach` can wait on that round. The CLI records the question in the memo, for `attach`.
 */
export async function startSessionRun(
  runtime: CliRuntime,
  start: SessionRunStart,
): Promise<{ handle: WorkflowHandle; update: WorkflowUpdateHandle<RoundResult> }> {
  const memo: RunMemo = { origin: 'run', question: start.question };
  try {
    const { handle, round } = await startOneRoundSession(runtime.client, start.config, start.question, {
      sessionId: start.id,
      taskQueue: start.taskQueue,
      memo: { [CLI_MEMO_KEY]: memo },
    });
    return { handle, update: round };
  } catch (error) {
    // The CLI's own words: `--id`, and `show` or `attach` depending on whether the run goes on.
    if (error instanceof SessionIdTakenError) throw await idTaken(runtime.client, start.id, error.cause);
    throw error;
  }
}

/** What `run` and `attach` report about a session run. */
export interface SessionRunMeta {
  id: string;
  strategy: string;
  question: string;
  simulated: boolean;
  /** When the run began, for the total time. */
  startedMs: number;
  /** When the run ended, if it had before this command (an attach to a closed run); else now. */
  endedMs?: number;
  /** The session's budget limits, for the command a held call's hint names. */
  budgetLimit?: BudgetLimit | undefined;
  /** An attach: the JSON result says how the run ended (`workflowStatus`), as its text's first line does. */
  attached?: boolean;
}

/**
 * Follows the run's round to its end, waits for the session to close (so it is listed as closed) and prints the
 * answers, the usage table and the time, or the one JSON result. Returns the exit code.
 */
export async function finishSessionRun(
  handle: WorkflowHandle,
  update: WorkflowUpdateHandle<RoundResult>,
  out: Output,
  meta: SessionRunMeta,
): Promise<ExitCode> {
  const renderer = progressRendererFor(out);
  // A round the session refused (its provider policy, a bad message) fails the update: one readable line.
  const round = update.result().catch((error: unknown) => {
    throw asUserError(error, { kind: 'session', id: handle.workflowId });
  });
  const responses = await followSessionRound(
    handle,
    round.then((result) => result.responses),
    renderer,
    0,
    { updateId: update.updateId },
    meta.budgetLimit,
  );
  await closeOneRoundSession(handle);
  const workflowStatus = meta.attached ? workflowStatusOf((await handle.describe()).status.name) : undefined;
  return reportRun(responses, out, { ...meta, workflowStatus }, await round);
}

function reportRun(
  responses: ParticipantResponse[],
  out: Output,
  meta: SessionRunMeta & { workflowStatus?: ReturnType<typeof workflowStatusOf> | undefined },
  { budget, closedEarly, otherCallsUsage }: Pick<RoundResult, 'budget' | 'closedEarly' | 'otherCallsUsage'>,
): ExitCode {
  // The round is over: an output closed from here on cuts a report, not a round that goes on.
  followingRun(undefined);
  const rows = responses.map(rowOf);
  // A selector's picks are calls too: the round's usage counts them, as the session's does.
  const usageRows: AnswerRow[] = otherCallsUsage
    ? [...rows, { name: 'selector', role: 'system', status: 'ok', content: '', tokenUsage: otherCallsUsage }]
    : rows;
  const elapsedMs = (meta.endedMs ?? Date.now()) - meta.startedMs;
  const exitCode = exitCodeOf(rows);
  if (out.json) {
    out.result({
      type: 'session-round',
      id: meta.id,
      kind: 'session',
      round: responses[0]?.round ?? 0,
      strategy: meta.strategy,
      question: meta.question,
      simulated: meta.simulated,
      status: outcomeOf(exitCode),
      exitCode,
      responses: rows,
      usage: totalUsage(usageRows),
      elapsedMs,
      ...(budget && { budget }),
      ...(closedEarly && { closedEarly }),
      ...(meta.workflowStatus && { workflowStatus: meta.workflowStatus }),
    });
    return exitCode;
  }
  if (closedEarly) {
    const late = closedEarly.late.join(', ');
    out.say(printable(`Round closed at its ${closedEarly.reason}; late, left out of it: ${late}`));
  }
  for (const row of rows.filter((r) => r.status !== 'ok')) {
    out.say(printable(`${row.name} ${noAnswerText(row.status, row.error)}`));
  }
  out.say(`\n${formatUsage(usageRows, elapsedMs)}`);
  if (budget) out.say(formatBudget(budget));
  return exitCode;
}
