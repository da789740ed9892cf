import { condition } from '@temporalio/workflow';
import type { ChatMessage } from '../../common/llm';
import { backupName, type HedgeConfig } from '../../common/hedge';
import {
  callModel,
  type CallOptions,
  type CallOutcome,
  type InFlightCalls,
  type ModelSettings,
} from '../shared/callModel';

/** A call's outcome, and who answered when the hedge's backup did. */
export type HedgedOutcome = CallOutcome & { hedgedBy?: string };

/** How one of the two calls ended: its outcome, or the run's cancellation it threw. */
interface Ending {
  outcome?: CallOutcome;
  thrown?: unknown;
}

/** Starts a call in its own cancellable slot, and keeps how it ended where a condition can read it. */
function startCall(settings: ModelSettings, prompt: ChatMessage[], options: CallOptions) {
  const inFlight: InFlightCalls = new Map();
  const ending: Ending = {};
  const done = callModel(settings, prompt, { ...options, inFlight }).then(
    (outcome) => void (ending.outcome = outcome),
    (thrown: unknown) => void (ending.thrown = thrown),
  );
  const cancel = () => inFlight.get(options.site.participant)?.cancel();
  return { ending, done, cancel, ended: () => ending.outcome !== undefined || ending.thrown !== undefined };
}

/**
 * An expert's call, hedged: when it is still running `afterMs` after it began (a workflow timer,
 * durable like any other), the same prompt goes to the backup too, as phase `hedge` of the round.
 * The first answer is the expert's; the other call is cancelled. When one call fails the other
 * may still answer; when both fail, the expert's own failure is reported.
 * Without a hedge this is the plain call, with the very commands of councils recorded before it.
 */
export async function hedgedCall(
  hedge: HedgeConfig | undefined,
  settings: ModelSettings,
  prompt: ChatMessage[],
  options: CallOptions,
  onBackupStarted: (backup: string) => void,
): Promise<HedgedOutcome> {
  if (!hedge) return callModel(settings, prompt, options);
  const own = startCall(settings, prompt, options);
  if (await condition(own.ended, hedge.afterMs)) return outcomeOf(own.ending);
  const name = backupName(hedge.backup);
  onBackupStarted(name);
  const label = `${options.site.label ?? options.site.participant} by ${name}`;
  const backup = startCall(hedge.backup, prompt, {
    ...options,
    site: { ...options.site, phase: 'hedge', label },
  });
  const answered = (ending: Ending) => ending.outcome?.status === 'ok' || ending.thrown !== undefined;
  await condition(() => answered(own.ending) || answered(backup.ending) || (own.ended() && backup.ended()));
  const backupWon = answered(backup.ending) && !answered(own.ending);
  (backupWon ? own : backup).cancel();
  await Promise.all([own.done, backup.done]);
  return backupWon ? { ...outcomeOf(backup.ending), hedgedBy: name } : outcomeOf(own.ending);
}

/** The outcome of an ended call; the run's cancellation is thrown on. */
function outcomeOf(ending: Ending): CallOutcome {
  if (ending.thrown !== undefined || !ending.outcome) throw ending.thrown;
  return ending.outcome;
}
