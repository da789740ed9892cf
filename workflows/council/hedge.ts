import { condition } from '@temporalio/workflow';
import { patched } from '../shared/patches';
import type { Expert } from '../../common/council';
import type { ChatMessage } from '../../common/llm';
import {
  backupName,
  EXPERT_HEDGE_PATCH,
  HEDGE_CLOSED_ROUND_PATCH,
  type HedgeConfig,
} from '../../common/hedge';
import {
  callModel,
  type CallOptions,
  type CallOutcome,
  type InFlightCalls,
  type ModelSettings,
} from '../shared/callModel';
import type { CouncilLedger } from './ledger';
import type { TurnCalls } from './skip';

/** What a hedged call reports, and what it reads of its round. */
export interface HedgeHooks {
  onBackupStarted(backup: string): void;
  /** True once a quorum or deadline has closed the call's round: no seat is left to fill. */
  roundClosed?: () => boolean;
  /** The turn's calls, for a person to skip: each call takes a slot in it; none when it cannot be skipped. */
  turn?: TurnCalls;
}

/**
 * The hedge of an expert's call in `round` (its own, else the council's), and its hooks: the status
 * line when its backup starts, and (in a round a quorum or deadline may close) whether the round has
 * closed. The patch keeps councils recorded before it, whose backups started and raced whether or
 * not the round had closed, replaying.
 */
export function expertHedge(ledger: CouncilLedger, expert: Expert, round: number) {
  const { context } = ledger;
  // `hedge: false` opts out of the council's; the schema refused it before the patch, like an own hedge.
  const own = expert.hedge !== undefined && patched(EXPERT_HEDGE_PATCH);
  const hedge = own ? expert.hedge || undefined : context.hedge;
  const closesEarly = context.quorum !== undefined || context.deadlineMs !== undefined;
  const hooks: HedgeHooks = {
    onBackupStarted: (backup) =>
      ledger.setStatus('running', `round ${round}: ${expert.name} straggles, ${backup} answers too`),
    ...(hedge &&
      closesEarly &&
      patched(HEDGE_CLOSED_ROUND_PATCH) && {
        roundClosed: () => ledger.closedRound >= round,
      }),
  };
  return { hedge, hooks };
}

/** A call's outcome, and who answered when the hedge's backup did. */
export type HedgedOutcome = CallOutcome & { hedgedBy?: string };

/** How one of the two calls ended: its outcome, or the run's cancellation it threw. */
interface Ending {
  outcome?: CallOutcome;
  thrown?: unknown;
}

/** Starts a call in its own cancellable slot, and keeps how it ended where a condition can read it. */
function startCall(settings: ModelSettings, prompt: ChatMessage[], options: CallOptions, turn?: TurnCalls) {
  const inFlight: InFlightCalls = turn?.slot() ?? new Map();
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
 * The backup fills the straggler's seat in the round, so its answer counts toward a quorum. Once
 * the round has closed without the expert, the seat is gone: the backup does not start, or is
 * cancelled, and the expert's own call ends late like any other.
 * Without a hedge this is the plain call, with the very commands of councils recorded before it.
 */
export async function hedgedCall(
  hedge: HedgeConfig | undefined,
  settings: ModelSettings,
  prompt: ChatMessage[],
  options: CallOptions,
  hooks: HedgeHooks,
): Promise<HedgedOutcome> {
  const { turn } = hooks;
  if (!hedge) return callModel(settings, prompt, { ...options, ...(turn && { inFlight: turn.slot() }) });
  const closed = hooks.roundClosed ?? (() => false);
  const own = startCall(settings, prompt, options, turn);
  // A skipped turn starts no backup, even when its timer fired in the same workflow task as the skip.
  if ((await condition(() => own.ended() || closed(), hedge.afterMs)) || turn?.skipped) {
    if (!own.ended()) await own.done;
    return outcomeOf(own.ending);
  }
  const name = backupName(hedge.backup);
  hooks.onBackupStarted(name);
  const label = `${options.site.label ?? options.site.participant} by ${name}`;
  const backup = startCall(
    hedge.backup,
    prompt,
    { ...options, site: { ...options.site, phase: 'hedge', label } },
    turn,
  );
  const answered = (ending: Ending) => ending.outcome?.status === 'ok' || ending.thrown !== undefined;
  await condition(
    () => answered(own.ending) || answered(backup.ending) || (own.ended() && backup.ended()) || closed(),
  );
  const backupWon = answered(backup.ending) && !answered(own.ending);
  (backupWon ? own : backup).cancel();
  await Promise.all([own.done, backup.done]);
  const winner = backupWon ? { ...outcomeOf(backup.ending), hedgedBy: name } : outcomeOf(own.ending);
  return withBothCosts(winner, own.ending, backup.ending);
}

/** The winner's outcome charged what both calls cost: the cancelled one was billed too. */
function withBothCosts(winner: HedgedOutcome, own: Ending, backup: Ending): HedgedOutcome {
  const costs = [own.outcome?.costUsd, backup.outcome?.costUsd].filter((c) => c !== undefined);
  if (costs.length === 0) return winner;
  return { ...winner, costUsd: costs.reduce((sum, cost) => sum + cost, 0) };
}

/** The outcome of an ended call; the run's cancellation is thrown on. */
function outcomeOf(ending: Ending): CallOutcome {
  if (ending.thrown !== undefined || !ending.outcome) throw ending.thrown;
  return ending.outcome;
}
