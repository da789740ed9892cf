import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { ScheduledByIdKey } from '../../common/searchAttributes';
import { ROUND_WATCH_MAX_MS } from '../api/followRun';
import { resumeOneRoundSession } from '../api/oneRoundSession';
import type { FoundRun } from '../api/runs';
import { MultiParticipantSession } from '../api/session';
import { awaitRoundEnd } from '../api/sessionRoundEnd';
import { SIMULATED_BANNER } from './simulated';
import { formatBudget } from './estimate';
import { attachCouncilRun } from './councilRun';
import { followSessionRound, rowOf } from './followSession';
import { createOutput, exitCodeOf, formatUsage, outcomeOf, totalUsage, type Output } from './output';
import { connectionFlags, withConnectionOptions } from './options';
import { progressRendererFor } from './progress';
import { isSimulatedQueue } from '../runtime/commandRuntime';
import { finishSessionRun } from './sessionRun';
import { withServedWorkflow } from './workflows';
import { listedCommand } from './help';
import { onInterrupt, whatGoesOn } from './interrupt';
import { followingRun } from './exitCode';
import { workflowStatusOf } from './jsonOutput';
import { endReason } from '../api/ended';
import { printable } from '../../common/printable';

/**
 * `council attach <id>`: reconnects to a run, session or council after the CLI was killed,
 * shows its progress from where it is, and prints its result.
 */
export function attachCommand(): Command {
  const command = listedCommand('attach')
    .argument('<id>', 'session or council id (printed when it started)')
    .option('--json', 'print one machine-readable result instead of text');
  withConnectionOptions(command);
  return command.action(async (id: string, options: { json?: boolean }) => {
    const out = createOutput(options.json === true);
    await withServedWorkflow(connectionFlags(options), id, async (found, runtime) => {
      onInterrupt(
        runtime,
        out,
        { id, kind: found.kind },
        whatGoesOn(found.kind, found.memo?.origin === 'run'),
      );
      const simulated = isSimulatedQueue(found.description.taskQueue);
      if (simulated) out.say(SIMULATED_BANNER);
      out.say(`Attached to ${found.kind} ${id} (${found.description.status.name.toLowerCase()})\n`);
      if (found.kind === 'council') {
        process.exitCode = await attachCouncilRun(runtime.client, found, out, simulated);
      } else if (found.memo?.origin === 'run') {
        const run = await resumeOneRoundSession(runtime.client, id, found.memo.question);
        const session = await MultiParticipantSession.attach(runtime.client, id);
        const view = await session.view();
        process.exitCode = await finishSessionRun(run.handle, run.round, out, {
          id,
          strategy: view.strategy,
          budgetLimit: view.budget?.limit,
          question: found.memo.question,
          simulated,
          startedMs: found.description.startTime.getTime(),
          endedMs: found.description.closeTime?.getTime(),
          attached: true,
        });
      } else {
        const session = await MultiParticipantSession.attach(runtime.client, id);
        if (found.description.typedSearchAttributes.get(ScheduledByIdKey) !== undefined) {
          await scheduledRoundBegun(session, found);
        }
        process.exitCode = await followOpenSession(session, found, out);
      }
    });
  });
}

/** How often an attach looks whether a scheduled run's round has begun. */
const SCHEDULED_ROUND_POLL_MS = 250;

/**
 * A run a schedule started plays its task as its one round once its start check passes, then
 * closes: until that round begins, its view shows no round begun or asked for, and an attach found
 * nothing to follow. Resolves once the round has begun or waits to, or the run has ended.
 */
async function scheduledRoundBegun(session: MultiParticipantSession, found: FoundRun): Promise<void> {
  const deadline = Date.now() + ROUND_WATCH_MAX_MS;
  for (;;) {
    const view = await session.view();
    if (view.round > 0 || view.activeRound || (view.roundsWaiting ?? 0) > 0) return;
    const { status } = await found.handle.describe();
    if (status.name !== 'RUNNING' || Date.now() > deadline) return;
    await sleep(SCHEDULED_ROUND_POLL_MS);
  }
}

/**
 * A session started with `session start`: follow the round in progress, or else the next one asked
 * for (waiting for the rounds before it or the session's start check), to its end, then print that
 * round's answers; with none of those, the latest round's. The session stays open for more `send`s.
 */
async function followOpenSession(session: MultiParticipantSession, found: FoundRun, out: Output) {
  const startedMs = Date.now();
  const view = await session.view();
  const transcript = await session.transcript(0);
  const waiting = view.activeRound === undefined && (view.roundsWaiting ?? 0) > 0;
  const round = view.activeRound?.round ?? (waiting ? view.round + 1 : view.round);
  const followed = waiting || view.activeRound !== undefined;
  if (waiting) out.say(`Round ${round} is asked for and waits to begin.`);
  // Transcript indexes are absolute: entries dropped from the front still count.
  const dropped = view.transcriptLength - transcript.length;
  const roundStart = transcript.findIndex((entry) => entry.round === round);
  const renderer = progressRendererFor(out);
  const responses = await followSessionRound(
    found.handle,
    // Round 0: a session that has begun no round yet has no answers to wait for.
    round === 0 ? Promise.resolve([]) : awaitRoundEnd(session, round),
    renderer,
    dropped + (roundStart < 0 ? transcript.length : roundStart),
    { round },
    view.budget?.limit,
  );
  // The round is over: an output closed from here on cuts a report, not a round that goes on.
  followingRun(undefined);
  const rows = responses.map(rowOf);
  const exitCode = exitCodeOf(rows);
  const budget = view.budget && (await session.view()).budget;
  if (out.json) {
    out.result({
      type: 'session-round',
      id: found.description.workflowId,
      kind: 'session',
      round,
      status: outcomeOf(exitCode),
      exitCode,
      responses: rows,
      usage: totalUsage(rows),
      strategy: view.strategy,
      simulated: isSimulatedQueue(found.description.taskQueue),
      workflowStatus: workflowStatusOf((await found.handle.describe()).status.name),
      ...(budget && { budget }),
    });
  } else if (rows.length === 0) out.say(await noRoundLine(found));
  else {
    // A round over before this attach took a time it does not know: its own wait is no round's time.
    out.say(`\n${formatUsage(rows, followed ? Date.now() - startedMs : undefined)}`);
    if (budget) out.say(formatBudget(budget));
  }
  return exitCode;
}

/** What an attach to a session that played no round says: how to ask one, or how it ended. */
async function noRoundLine(found: FoundRun): Promise<string> {
  const { status, workflowId } = found.description;
  if (status.name === 'RUNNING') return 'No round has been played yet: send one with `council send`.';
  const reason = await endReason(found.handle);
  const why = reason ? `: ${printable(reason)}` : '';
  return `Session ${workflowId} ended (${status.name.toLowerCase()}) before any round${why}. Start a new session to go on.`;
}
