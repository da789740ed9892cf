import { WorkflowNotFoundError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import { z } from 'zod';
import {
  CouncilCostUsdKey,
  CouncilKindKey,
  CouncilStatusKey,
  CouncilStrategyKey,
} from '../../common/searchAttributes';
import { explainEncrypted } from '../../storage/encryption';
import {
  NOT_CONTINUED,
  runRowOf,
  STATUS_NAMES,
  STRATEGY_NAMES,
  type RunRow as ListedRun,
} from '../api/runRow';

/** Most runs one list returns: each may cost a describe call for its summary. */
export const MAX_LIST = 100;

/** Runs described at once for their summaries. */
const DESCRIBE_BATCH = 10;

/** The list page's filters, as the query string carries them. */
export const listFilterSchema = z
  .object({
    kind: z.enum(['session', 'council']).optional(),
    status: z.enum(STATUS_NAMES).optional(),
    strategy: z.enum(STRATEGY_NAMES).optional(),
    /** Runs started on or after this UTC day. */
    since: z.iso.date().optional(),
    /** Runs with a budget that spent at least this many dollars. */
    minCostUsd: z.coerce.number().min(0).max(1e9).optional(),
    q: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_LIST).default(50),
  })
  .strict();
export type ListFilter = z.infer<typeof listFilterSchema>;

/** One row of the list page: a listed run without its close time. */
export type RunRow = Omit<ListedRun, 'closedAt' | 'question'> & {
  /** The question of a CLI run, else the run's static summary (a council's task, a session's strategy). */
  question: string;
};

/** The visibility query for a filter: every clause is a search attribute the workflows set. */
export function listQuery(filter: ListFilter): string {
  return [
    filter.kind
      ? `${CouncilKindKey.name} = '${filter.kind}'`
      : `${CouncilKindKey.name} IN ('session', 'council')`,
    ...(filter.status ? [`${CouncilStatusKey.name} = '${filter.status}'`] : []),
    ...(filter.strategy ? [`${CouncilStrategyKey.name} = '${filter.strategy}'`] : []),
    ...(filter.since ? [`StartTime >= '${filter.since}T00:00:00Z'`] : []),
    ...(filter.minCostUsd !== undefined ? [`${CouncilCostUsdKey.name} >= ${filter.minCostUsd}`] : []),
    NOT_CONTINUED,
  ].join(' AND ');
}

/**
 * Sessions and councils, newest first. The question search runs here, not in the server: the
 * question lives in a memo or the static summary, which visibility queries cannot search.
 */
export async function listRuns(client: Client, filter: ListFilter): Promise<RunRow[]> {
  const found: WorkflowExecutionInfo[] = [];
  try {
    // Searching reads more runs than it shows; the scan stays bounded all the same.
    const scan = filter.q ? MAX_LIST * 5 : filter.limit;
    for await (const info of client.workflow.list({ query: listQuery(filter) })) {
      found.push(info);
      if (found.length >= scan) break;
    }
  } catch (error) {
    throw explainEncrypted(error);
  }
  const needle = filter.q?.trim().toLowerCase() ?? '';
  const rows: RunRow[] = [];
  // A few describes at a time: quick for a page of rows, gentle on the server over a long search.
  for (let start = 0; start < found.length && rows.length < filter.limit; start += DESCRIBE_BATCH) {
    const batch = await Promise.all(
      found.slice(start, start + DESCRIBE_BATCH).map((info) => rowOf(client, info)),
    );
    for (const row of batch) {
      const text = `${row.id}\n${row.question}`.toLowerCase();
      if ((!needle || text.includes(needle)) && rows.length < filter.limit) rows.push(row);
    }
  }
  return rows;
}

/** A listed run without its close time; a run with no CLI question shows its static summary. */
async function rowOf(client: Client, info: WorkflowExecutionInfo): Promise<RunRow> {
  const { id, kind, strategy, councilStatus, workflowStatus, startedAt, tokens, costUsd, question } =
    runRowOf(info);
  return {
    id,
    kind,
    strategy,
    councilStatus,
    workflowStatus,
    startedAt,
    tokens,
    costUsd,
    question: question ?? (await staticSummary(client, id)),
  };
}

/** Listing leaves out user metadata, so a run without a CLI question is described for its summary. */
async function staticSummary(client: Client, id: string): Promise<string> {
  try {
    const description = await client.workflow.getHandle(id).describe();
    return (await description.staticSummary()) ?? '';
  } catch (error) {
    // A run deleted between list and describe has no summary to show; the row stays.
    if (error instanceof WorkflowNotFoundError) return '';
    throw error;
  }
}
