import type { ScheduleOverlapPolicy, ScheduleSpec } from '@temporalio/client';
import { CouncilUserError } from '../../common/userError';
import { durationMs } from './duration';

// What `schedule create` (schedule.ts) and the managing commands (scheduleManage.ts) both need lives
// here, so that schedule.ts can import scheduleManage.ts without a cycle back; and the spec flags.

/** The memo key of what `schedule create` was told, for `schedule describe`. */
export const SCHEDULE_MEMO_KEY = 'councilSchedule';

/** Overlap policies, as the flag spells them. */
export const OVERLAP_POLICIES = [
  'skip',
  'buffer_one',
  'buffer_all',
  'cancel_other',
  'terminate_other',
  'allow_all',
];

/** The SDK's overlap policy for a flag value from {@link OVERLAP_POLICIES}. */
export function overlapPolicy(flag: string): ScheduleOverlapPolicy {
  return flag.toUpperCase() as ScheduleOverlapPolicy;
}

/** The flags that say when a schedule's runs are due. */
export interface SpecFlags {
  cron?: string;
  every?: string;
}

const MAX_EVERY_MS = 3650 * 86_400_000;

/** The spec of `--cron` or `--every`: exactly one of them, a duration from 1 s to ten years. */
export function scheduleSpec(options: SpecFlags): ScheduleSpec {
  if ((options.cron === undefined) === (options.every === undefined)) {
    throw new CouncilUserError('give exactly one of --cron and --every');
  }
  if (options.cron !== undefined) return { cronExpressions: [options.cron] };
  const every = durationMs(options.every ?? '');
  if (every === undefined) {
    throw new CouncilUserError(
      `--every "${options.every}" is not a duration`,
      'e.g. 90s, 30m, 1h, 1h30m, 1d',
    );
  }
  // Ten years: the server refuses a duration past its calendar with a raw protocol error.
  if (!(every >= 1000 && every <= MAX_EVERY_MS))
    throw new CouncilUserError('--every must be from 1s to 3650d');
  return { intervals: [{ every }] };
}

/** The spec as it was written, for the schedule's memo and what `create` prints. */
export function describeSpec(options: SpecFlags): string {
  return options.cron !== undefined ? `cron "${options.cron}"` : `every ${options.every}`;
}
