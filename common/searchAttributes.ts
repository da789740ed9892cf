import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTES } from './defaults';

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
