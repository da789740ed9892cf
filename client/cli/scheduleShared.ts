import type { ScheduleOverlapPolicy } from '@temporalio/client';

// What `schedule create` (schedule.ts) and the managing commands (scheduleManage.ts) both need lives
// here, so that schedule.ts can import scheduleManage.ts without a cycle back.

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
