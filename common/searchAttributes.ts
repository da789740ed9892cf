import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTES } from './defaults';

/**
 * Every value a session publishes as its CouncilStatus (workflows/session/status.ts): `running` while
 * it takes rounds, `waiting-budget` while an `ask` budget holds a call. `idle` is what sessions
 * recorded before 2026-12-06 showed between rounds (they showed `running` only during one). A
 * council's are COUNCIL_STATUSES (common/councilApi.ts).
 */
export const SESSION_STATUSES = ['idle', 'running', 'waiting-budget', 'closed', 'cancelled'] as const;
export type SessionStatusValue = (typeof SESSION_STATUSES)[number];

/** Typed keys for the search attributes council workflows set (see the embedded server's registration). */
export const CouncilStatusKey = defineSearchAttributeKey(
  SEARCH_ATTRIBUTES.status,
  SearchAttributeType.KEYWORD,
);
export const CouncilStrategyKey = defineSearchAttributeKey(
  SEARCH_ATTRIBUTES.strategy,
  SearchAttributeType.KEYWORD,
);
export const CouncilKindKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.kind, SearchAttributeType.KEYWORD);
/** What a session has spent, in USD, as its budget counts it; set only on sessions with a budget. */
export const CouncilCostUsdKey = defineSearchAttributeKey(
  SEARCH_ATTRIBUTES.costUsd,
  SearchAttributeType.DOUBLE,
);
/** Temporal's own: the schedule that started a run (`council schedule`), on its runs only. */
export const ScheduledByIdKey = defineSearchAttributeKey(
  'TemporalScheduledById',
  SearchAttributeType.KEYWORD,
);
