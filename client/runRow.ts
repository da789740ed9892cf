import type { WorkflowExecutionInfo, WorkflowExecutionStatusName } from '@temporalio/client';
import {
  CouncilCostUsdKey,
  CouncilKindKey,
  CouncilStatusKey,
  CouncilStrategyKey,
} from '../common/searchAttributes';
import { SESSION_SUMMARY_MEMO_KEY, type SessionSummary } from '../common/session';

/**
 * The memo key under which the CLI records how it started a workflow. It lives here, below the CLI
 * and the Web UI, because both read it back from listed runs.
 */
export const CLI_MEMO_KEY = 'councilCli';

/** One listed session or council: a row of `council list` and of the Web UI's list page. */
export interface RunRow {
  id: string;
  kind: string;
  strategy: string;
  councilStatus: string;
  /** Temporal's execution status in lower case, as docs/json.md names it. */
  workflowStatus: Lowercase<WorkflowExecutionStatusName>;
  startedAt: string;
  closedAt: string | null;
  /** A closed session's total, from its memo; null when not known without a worker. */
  tokens: number | null;
  /** What a session or council with a budget has spent in USD (its CouncilCostUsd); null for any other run. */
  costUsd: number | null;
  /** The question a CLI `run` recorded in its memo; undefined for any other run. */
  question: string | undefined;
}

/** A listed run's row, read from its search attributes and memos only: no describe, no worker. */
export function runRowOf(info: WorkflowExecutionInfo): RunRow {
  const memo = info.memo?.[CLI_MEMO_KEY] as { question?: string } | undefined;
  // A closed session leaves its totals in its memo: no worker has to replay it to say them.
  const summary = info.memo?.[SESSION_SUMMARY_MEMO_KEY] as SessionSummary | undefined;
  return {
    id: info.workflowId,
    kind: info.typedSearchAttributes.get(CouncilKindKey) ?? '',
    strategy: info.typedSearchAttributes.get(CouncilStrategyKey) ?? '',
    councilStatus: info.typedSearchAttributes.get(CouncilStatusKey) ?? '',
    workflowStatus: info.status.name.toLowerCase() as Lowercase<WorkflowExecutionStatusName>,
    startedAt: info.startTime.toISOString(),
    closedAt: info.closeTime?.toISOString() ?? null,
    tokens: summary ? summary.usage.totalTokens : null,
    costUsd: info.typedSearchAttributes.get(CouncilCostUsdKey) ?? null,
    question: memo?.question,
  };
}
