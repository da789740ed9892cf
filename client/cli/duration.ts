import { msToNumber } from '@temporalio/common/lib/time';

/** A compound duration's parts, e.g. `1h` and `30m` of `1h30m`. */
const DURATION_PARTS = /^(\d+(\.\d+)?[a-z]+)+$/i;

/** A number with no unit, which the SDK reads as milliseconds: `--every 90` meant no one's 90 ms. */
const BARE_NUMBER = /^\d+(\.\d+)?$/;

/**
 * Milliseconds of a duration a flag was given, as Temporal's SDK reads one (`90s`, `1.5h`, `30d`) or
 * of consecutive ones (`1h30m`); undefined for anything else, a number with no unit included. Each
 * flag checks its own bounds.
 */
export function durationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (BARE_NUMBER.test(trimmed)) return undefined;
  const parts = DURATION_PARTS.test(trimmed) ? (trimmed.match(/\d+(\.\d+)?[a-z]+/gi) ?? []) : [trimmed];
  let total = 0;
  for (const part of parts) {
    try {
      total += msToNumber(part as Parameters<typeof msToNumber>[0]);
    } catch {
      return undefined;
    }
  }
  return total;
}
