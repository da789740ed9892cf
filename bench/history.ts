/**
 * Reading a run's workflow history, for the benches that split a turn or a round into phases
 * (historyProfile.ts, roundPhases.ts): event times, the nearest event of a kind, medians of phases.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { round2 } from './stats';

/** A run's history as the client fetches it. */
export type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
export type HistoryEvent = NonNullable<History['events']>[number];
/** An event kind, named by the attributes field only events of that kind carry. */
export type AttributeKey = keyof HistoryEvent & `${string}EventAttributes`;

/** When the server wrote the event, ms since the epoch (the clock the client's Date.now() uses). */
export function eventMs(event: HistoryEvent): number {
  const time = event.eventTime;
  return Number(time?.seconds ?? 0) * 1000 + (time?.nanos ?? 0) / 1e6;
}

/** The last event of kind `key` at or before index `from` (by default the last event). */
export function findBack(
  events: HistoryEvent[],
  key: AttributeKey,
  from = events.length - 1,
): HistoryEvent | undefined {
  for (let j = from; j >= 0; j--) if (events[j]?.[key]) return events[j];
  return undefined;
}

/** The first event of kind `key` at or after index `from`. */
export function findForward(
  events: HistoryEvent[],
  key: AttributeKey,
  from: number,
): HistoryEvent | undefined {
  for (let j = from; j < events.length; j++) if (events[j]?.[key]) return events[j];
  return undefined;
}

/** The middle value (the upper of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Median of each phase over the turns or rounds, rounded to 0.01 ms; `labels` names the phases. */
export function medianOfEach<T extends Record<keyof T, number>>(
  labels: Record<keyof T, string>,
  rows: T[],
): T {
  const keys = Object.keys(labels) as Array<keyof T>;
  return Object.fromEntries(keys.map((key) => [key, round2(median(rows.map((row) => row[key])))])) as T;
}
