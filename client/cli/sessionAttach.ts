import type { WorkflowUpdateHandle } from '@temporalio/client';
import { Command } from 'commander';
import type { RoundResult } from '../../common/session';
import { sendMessageUpdate, sessionViewQuery, transcriptQuery } from '../../common/sessionApi';
import type { ParticipantResponse, TranscriptEntry } from '../../common/session';
import { SIMULATED_BANNER } from '../simulated';
import { attachCouncilRun } from './councilRun';
import { followSessionRound, rowOf } from './followSession';
import { createOutput, exitCodeOf, formatUsage, outcomeOf, totalUsage, type Output } from './output';
import { connectionFlags, withConnectionOptions } from './options';
import { progressRendererFor } from './progress';
import { isSimulatedQueue } from './runtime';
import { finishSessionRun } from './sessionRun';
import { RUN_UPDATE_ID, withServedWorkflow, type FoundWorkflow } from './workflows';

/**
 * `council attach <id>`: reconnects to a run, session or council after the CLI was killed,
 * shows its progress from where it is, and prints its result.
 */
export function attachCommand(): Command {
  const command = new Command('attach')
    .description('reconnect to a running session or council, follow it and print its result')
    .argument('<id>', 'session or council id (printed when it started)')
    .option('--json', 'print one machine-readable result instead of text');
  withConnectionOptions(command);
  return command.action(async (id: string, options: { json?: boolean }) => {
    const out = createOutput(options.json === true);
    await withServedWorkflow(connectionFlags(options), id, async (found, runtime) => {
      const simulated = isSimulatedQueue(found.description.taskQueue);
      if (simulated) out.say(SIMULATED_BANNER);
      out.say(`Attached to ${found.kind} ${id} (${found.description.status.name.toLowerCase()})\n`);
      if (found.kind === 'council') {
        process.exitCode = await attachCouncilRun(runtime.client, found, out, simulated);
      } else if (found.memo?.origin === 'run') {
        process.exitCode = await finishSessionRun(
          found.handle,
          await runRound(found, found.memo.question),
          out,
          {
            id,
            strategy: (await found.handle.query(sessionViewQuery)).strategy,
            question: found.memo.question,
            simulated,
            startedMs: found.description.startTime.getTime(),
          },
        );
      } else {
        process.exitCode = await followOpenSession(found, out);
      }
    });
  });
}

/**
 * The round of a `run`. Sent again under the same update id while the session runs: the server
 * hands back the update if it arrived, and takes the question if a crash beat it there.
 */
async function runRound(found: FoundWorkflow, question: string): Promise<WorkflowUpdateHandle<RoundResult>> {
  if (found.description.status.name !== 'RUNNING')
    return found.handle.getUpdateHandle<RoundResult>(RUN_UPDATE_ID);
  return found.handle.startUpdate(sendMessageUpdate, {
    args: [{ role: 'user', content: question }],
    updateId: RUN_UPDATE_ID,
    waitForStage: 'ACCEPTED',
  });
}

/**
 * A session started with `session start`: follow the round in progress, if any, to its end, then
 * print the latest round's answers. The session stays open for more `send`s.
 */
async function followOpenSession(found: FoundWorkflow, out: Output) {
  const startedMs = Date.now();
  const view = await found.handle.query(sessionViewQuery);
  const transcript = await found.handle.query(transcriptQuery, { fromIndex: 0 });
  const round = view.activeRound?.round ?? view.round;
  // Transcript indexes are absolute: entries dropped from the front still count.
  const dropped = view.transcriptLength - transcript.length;
  const roundStart = transcript.findIndex((entry) => entry.round === round);
  const renderer = progressRendererFor(out);
  const responses = await followSessionRound(
    found.handle,
    roundEnd(found, round),
    renderer,
    dropped + (roundStart < 0 ? transcript.length : roundStart),
  );
  const rows = responses.map(rowOf);
  const exitCode = exitCodeOf(rows);
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
    });
  } else if (rows.length === 0) out.say('No round has been played yet: send one with `council send`.');
  else out.say(`\n${formatUsage(rows, Date.now() - startedMs)}`);
  return exitCode;
}

/** Resolves once the round is no longer active, with its responses read from the transcript. */
async function roundEnd(found: FoundWorkflow, round: number): Promise<ParticipantResponse[]> {
  for (;;) {
    const view = await found.handle.query(sessionViewQuery);
    if (view.activeRound?.round !== round) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const transcript = await found.handle.query(transcriptQuery, { fromIndex: 0 });
  return transcript
    .filter((entry) => entry.round === round && entry.role !== 'user' && entry.role !== 'system')
    .map(responseOf);
}

function responseOf(entry: TranscriptEntry): ParticipantResponse {
  return {
    participantName: entry.from,
    participantRole: entry.role as ParticipantResponse['participantRole'],
    content: entry.content,
    tokenUsage: entry.tokenUsage ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    status: entry.status,
    truncated: false,
    round: entry.round,
    shown: [],
    ...(entry.downgradedTo && { downgradedTo: entry.downgradedTo }),
    ...(entry.servedBy && { servedBy: entry.servedBy }),
    ...(entry.kind && { kind: entry.kind }),
  };
}
