import os from 'node:os';
import type { FoundRun } from '../api/runs';
import type { CliRuntime } from '../runtime/commandRuntime';
import type { Output } from './output';

const ONE_ROUND_RUN_GOES_ON = 'The run goes on when a worker serves it, and closes when its round ends';

/**
 * Ctrl-C leaves the workflow running: it is durable, and `attach` picks it up. The embedded server
 * and in-process worker stop with this process, so the run resumes when something serves it again.
 * `what` says what goes on (a one-round run also closes when its round ends).
 */
export function onInterrupt(
  runtime: CliRuntime,
  out: Output,
  id: string,
  what = ONE_ROUND_RUN_GOES_ON,
): () => void {
  runtime.lostHint = `${what.charAt(0).toLowerCase()}${what.slice(1)}: council attach ${id}`;
  const handler = (signal: NodeJS.Signals) => {
    out.say(`\nInterrupted. ${what}: council attach ${id}`);
    // A terminal's Ctrl-C reaches the embedded server too, and a worker whose server is gone would
    // retry its last reports for a while: give the clean-up two seconds, not more.
    const deadline = new Promise((resolve) => setTimeout(resolve, 2000).unref());
    // The shell's convention: 128 and the signal's number (130 for SIGINT, 143 for SIGTERM).
    void Promise.race([runtime.close(), deadline]).finally(() =>
      process.exit(128 + os.constants.signals[signal]),
    );
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/**
 * What goes on without this process, for `onInterrupt`: a council, a one-round run (`council run`),
 * or the round of a session left open for more questions.
 */
export function whatGoesOn(kind: FoundRun['kind'], oneRoundRun: boolean): string {
  if (kind === 'council') return 'The council goes on when a worker serves it';
  return oneRoundRun ? ONE_ROUND_RUN_GOES_ON : 'The round goes on when a worker serves it';
}
