import os from 'node:os';
import type { FoundRun } from '../api/runs';
import type { CliRuntime } from '../runtime/commandRuntime';
import { eventsOf } from './events';
import { detachWith, followingRun } from './exitCode';
import type { Output } from './output';

const ONE_ROUND_RUN_GOES_ON = 'The run goes on when a worker serves it, and closes when its round ends';

/**
 * How far a `run` got: its start not yet sent (it waits for its worker), sent with no answer yet
 * (the server may have started it), or started.
 */
export type RunStage = 'unsent' | 'sent' | 'started';

/**
 * Ctrl-C leaves the workflow running: it is durable, and `attach` picks it up. The embedded server
 * and in-process worker stop with this process, so the run resumes when something serves it again.
 * `what` says what goes on (a one-round run also closes when its round ends). A script reading
 * `--json` or `--events` gets a last document (or event) that says so, not an empty stdout. `stage`:
 * how far a run this command starts got; nothing goes on for one never sent.
 */
export function onInterrupt(
  runtime: CliRuntime,
  out: Output,
  { id, kind }: { id: string; kind: FoundRun['kind'] },
  what = ONE_ROUND_RUN_GOES_ON,
  stage: () => RunStage = () => 'started',
): () => void {
  const attach = `council attach ${id}`;
  const goesOn = goesOnLine(what, attach);
  runtime.lostHint = () => {
    const reached = stage();
    if (reached === 'unsent') return `${kind} ${id} was not started: run the command again`;
    if (reached === 'sent')
      return `\`council show ${id}\` says whether ${kind} ${id} started; if it did, ${goesOn}`;
    return goesOn;
  };
  followingRun(() => {
    const reached = stage();
    if (reached === 'unsent')
      return `the output closed before ${kind} ${id} started: nothing runs. Run the command again.`;
    if (reached === 'sent') {
      return `the output closed while ${kind} ${id} was starting: \`council show ${id}\` says whether it started. If it did, ${goesOn}`;
    }
    return `the output closed before the run ended. ${what}: ${attach}`;
  });
  const handler = (signal: NodeJS.Signals) => {
    const exitCode = sayInterrupted(out, { id, kind }, signal, stage(), what);
    // A terminal's Ctrl-C reaches the embedded server too, and a worker whose server is gone would
    // retry its last reports for a while: give the clean-up two seconds, not more.
    const deadline = new Promise((resolve) => setTimeout(resolve, 2000).unref());
    void Promise.race([runtime.close(), deadline]).finally(() => process.exit(exitCode));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    followingRun(undefined);
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/**
 * Runs `opening` (a `run`'s SDK load and embedded server boot, after its "Starting…" line) with
 * Ctrl-C saying at once that nothing was sent, so nothing runs: the process died silently. It exits
 * once `opening` is done and `close` has stopped what it opened, within two seconds: exiting at once
 * left the server it spawned stopping unrecorded, and the next run, which the line asks for, could
 * start a second server on the same SQLite file (serverStopping.ts).
 */
export async function openingRun<T>(
  out: Output,
  run: { id: string; kind: FoundRun['kind'] },
  opening: () => Promise<T>,
  close: (opened: T) => Promise<void>,
): Promise<T> {
  let interrupted: number | undefined;
  const handler = (signal: NodeJS.Signals) => {
    interrupted = sayInterrupted(out, run, signal, 'unsent');
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  let opened: T;
  try {
    opened = await opening();
  } catch (error) {
    if (interrupted !== undefined) process.exit(interrupted);
    throw error;
  } finally {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  }
  if (interrupted !== undefined) {
    const code = interrupted;
    const deadline = new Promise((resolve) => setTimeout(resolve, 2000).unref());
    await Promise.race([close(opened), deadline]).finally(() => process.exit(code));
  }
  return opened;
}

/**
 * Says what an interrupt at `reached` leaves (a line, and the `detached` document or event of
 * `--json` or `--events`), marks the process detached, and returns its exit code: the shell's 128
 * and the signal's number (130 for SIGINT, 143 for SIGTERM).
 */
function sayInterrupted(
  out: Output,
  { id, kind }: { id: string; kind: FoundRun['kind'] },
  signal: NodeJS.Signals,
  reached: RunStage,
  what = ONE_ROUND_RUN_GOES_ON,
): number {
  const exitCode = 128 + os.constants.signals[signal];
  const attach = `council attach ${id}`;
  const goesOn = goesOnLine(what, attach);
  const unsent = reached === 'unsent';
  const detached = {
    type: 'detached' as const,
    id,
    kind,
    signal,
    ...(reached !== 'started' && { started: unsent ? (false as const) : ('unknown' as const) }),
    goesOn: unsent ? 'nothing: the run was not started' : what,
    ...(!unsent && { attach }),
    exitCode,
  };
  out.say(
    unsent
      ? `\nInterrupted before ${kind} ${id} started: nothing runs. Run the command again.`
      : reached === 'sent'
        ? `\nInterrupted while ${kind} ${id} was starting: \`council show ${id}\` says whether it started. If it did, ${goesOn}`
        : `\nInterrupted. ${what}: ${attach}`,
  );
  const emit = eventsOf(out);
  if (emit) emit(detached);
  else if (out.json) out.result(detached);
  detachWith(exitCode);
  return exitCode;
}

/** `what` goes on, then how to follow it: a clause to end a sentence with. */
function goesOnLine(what: string, attach: string): string {
  return `${what.charAt(0).toLowerCase()}${what.slice(1)}: ${attach}`;
}

/**
 * What goes on without this process, for `onInterrupt`: a council, a one-round run (`council run`),
 * or the round of a session left open for more questions. `ownQueue`: the run's task queue of its
 * own, which no other worker polls (a run with this shell's keys): it waits for `attach`.
 */
export function whatGoesOn(kind: FoundRun['kind'], oneRoundRun: boolean, ownQueue?: string): string {
  if (ownQueue) {
    return `The ${kind === 'council' ? 'council' : 'run'} waits: only a worker on its own task queue ${ownQueue} serves it, and attach runs one`;
  }
  if (kind === 'council') return 'The council goes on when a worker serves it';
  return oneRoundRun ? ONE_ROUND_RUN_GOES_ON : 'The round goes on when a worker serves it';
}
