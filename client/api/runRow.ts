import type { Client, WorkflowExecutionInfo, WorkflowExecutionStatusName } from '@temporalio/client';
import { z } from 'zod';
import {
  CouncilCostUsdKey,
  CouncilKindKey,
  CouncilStatusKey,
  CouncilStrategyKey,
  SESSION_STATUSES,
} from '../../common/searchAttributes';
import { SESSION_SUMMARY_MEMO_KEY, type SessionSummary } from '../../common/session';
import { addProblem, zodProblem } from '../../common/validation';
import { COUNCIL_MODES } from '../../common/council';
import { COUNCIL_STATUSES } from '../../common/councilApi';
import { COUNCIL_SUMMARY_MEMO_KEY, type CouncilSummary } from '../../common/councilResult';
import { ORCHESTRATION_STRATEGIES } from '../../common/participants';
import { explainEncrypted } from '../../storage/encryption';
import { CouncilUserError } from '../../common/userError';

/** What a list's strategy filter takes: every session strategy and council mode. */
export const STRATEGY_NAMES = [...ORCHESTRATION_STRATEGIES, ...COUNCIL_MODES] as const;

/** The statuses a session or a council publishes, each once. */
const PUBLISHED_STATUSES = [...new Set([...SESSION_STATUSES, ...COUNCIL_STATUSES])];

/**
 * Temporal's ends a run cannot publish (it failed, was terminated or timed out), as a list shows
 * them in place of the status it published last, with their visibility names.
 */
const TEMPORAL_ENDS: Record<string, string> = {
  failed: 'Failed',
  terminated: 'Terminated',
  timed_out: 'TimedOut',
};

/** Whether Temporal's `statusName` (`FAILED`, `COMPLETED`, ...) is an end a run could not publish. */
export function endedEarly(statusName: string): boolean {
  return Object.hasOwn(TEMPORAL_ENDS, statusName.toLowerCase());
}

/** What a list's status filter takes: what a list shows, a published status or how Temporal ended the run. */
export const STATUS_NAMES = [...PUBLISHED_STATUSES, ...Object.keys(TEMPORAL_ENDS)];

/** The statuses a run publishes as it ends; every other one says it is still going. */
const ENDED_STATUSES: readonly string[] = ['closed', 'completed', 'no-conclusion', 'cancelled'];

/**
 * The statuses of a run still going. A run that ended without publishing its end (it failed, was
 * terminated or timed out) keeps the last one it published: a list shows how it ended instead.
 */
const LIVE_STATUSES: ReadonlySet<string> = new Set(
  PUBLISHED_STATUSES.filter((name) => !ENDED_STATUSES.includes(name)),
);

/**
 * The memo key under which the CLI records how it started a workflow. It lives here, below the CLI
 * and the Web UI, because both read it back from listed runs.
 */
export const CLI_MEMO_KEY = 'councilCli';

/**
 * The memo key of a run's question, whole: a one-round session's question, a council's task. Set by
 * whatever starts the run (the library, the CLI, a schedule), so a list reads it without a worker.
 */
export const QUESTION_MEMO_KEY = 'councilQuestion';

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
  /** A closed session's, or a completed or cancelled council's, total from its memo; null when not known without a worker. */
  tokens: number | null;
  /** What a session or council with a budget has spent in USD (its CouncilCostUsd); null for any other run. */
  costUsd: number | null;
  /** A one-round session's question or a council's task, from its memo; undefined for any other run. */
  question: string | undefined;
}

/** A listed run's row, read from its search attributes and memos only: no describe, no worker. */
export function runRowOf(info: WorkflowExecutionInfo): RunRow {
  const memo = info.memo?.[CLI_MEMO_KEY] as { question?: string } | undefined;
  // A closed session leaves its totals in its memo: no worker has to replay it to say them.
  const summary = info.memo?.[SESSION_SUMMARY_MEMO_KEY] as SessionSummary | undefined;
  const councilSummary = info.memo?.[COUNCIL_SUMMARY_MEMO_KEY] as CouncilSummary | undefined;
  return {
    id: info.workflowId,
    kind: info.typedSearchAttributes.get(CouncilKindKey) ?? '',
    strategy: info.typedSearchAttributes.get(CouncilStrategyKey) ?? '',
    councilStatus: shownStatus(info),
    workflowStatus: info.status.name.toLowerCase() as Lowercase<WorkflowExecutionStatusName>,
    startedAt: info.startTime.toISOString(),
    closedAt: info.closeTime?.toISOString() ?? null,
    tokens: (summary ?? councilSummary)?.usage.totalTokens ?? null,
    costUsd: info.typedSearchAttributes.get(CouncilCostUsdKey) ?? null,
    question: wholeQuestion(info.memo) ?? memo?.question,
  };
}

/** The query's clauses for the runs a list shows in `status`. */
function statusClauses(status: string | undefined): string[] {
  if (status === undefined) return [];
  const ended = TEMPORAL_ENDS[status];
  if (ended) return [`ExecutionStatus = '${ended}'`];
  // Only a run still going is in a live status: one that ended in it is listed by how it ended.
  const live = LIVE_STATUSES.has(status) ? [`ExecutionStatus = 'Running'`] : [];
  return [`${CouncilStatusKey.name} = '${status}'`, ...live];
}

/** The run's CouncilStatus, or how it ended when it ended still saying it was going. */
function shownStatus(info: WorkflowExecutionInfo): string {
  const published = info.typedSearchAttributes.get(CouncilStatusKey) ?? '';
  const ended = info.status.name !== 'RUNNING';
  return ended && LIVE_STATUSES.has(published) ? info.status.name.toLowerCase() : published;
}

/** A run's whole question or task, from its memos, if they hold one (runs started before the key hold none). */
export function wholeQuestion(memo: Record<string, unknown> | undefined): string | undefined {
  const value = memo?.[QUESTION_MEMO_KEY];
  return typeof value === 'string' ? value : undefined;
}

/** A string that is one of `names` (typed as a string, so callers may pass what a person typed). */
function oneOf(names: readonly string[], what: string) {
  return z.string().refine((name) => names.includes(name), `${what} is one of ${names.join(', ')}`);
}

/** Which kind of run plays `strategy`: a council's modes and a session's strategies share no name. */
function kindOfStrategy(strategy: string): 'session' | 'council' {
  return (COUNCIL_MODES as readonly string[]).includes(strategy) ? 'council' : 'session';
}

/**
 * The clause that leaves out a long session's earlier runs: it continues-as-new, and each run it
 * leaves behind is its past, under the same id. A listing shows the session once.
 */
export const NOT_CONTINUED = `ExecutionStatus != 'ContinuedAsNew'`;

/** The most runs one listing returns: each is a visibility row read and printed. */
export const MAX_LISTED_RUNS = 1_000;

/** Which runs {@link listRuns} lists: each field a search attribute, so the query works in the Temporal UI. */
const runFilterSchema = z
  .object({
    kind: z.enum(['session', 'council']).optional(),
    /** CouncilStatus: a status a session or a council publishes; another would match no run. */
    status: oneOf(STATUS_NAMES, 'a status').optional(),
    /** CouncilStrategy: a session strategy or a council mode. */
    strategy: oneOf(STRATEGY_NAMES, 'a strategy').optional(),
    /** Runs with a budget that spent at least this many dollars. */
    minCostUsd: z.number().finite().min(0).optional(),
    /** At most this many: running ones first, then the most recently closed (the server's order). */
    limit: z.number().int().min(1).max(MAX_LISTED_RUNS).default(20),
  })
  .strict()
  .superRefine(({ kind, strategy }, ctx) => {
    if (!kind || !strategy || kindOfStrategy(strategy) === kind) return;
    const what = kind === 'session' ? "council's mode" : "session's strategy";
    addProblem(ctx, ['strategy'], `"${strategy}" is a ${what}, and kind is ${kind}: no run has both`);
  });
export type RunFilter = z.input<typeof runFilterSchema>;

/**
 * Sessions and councils, running ones first and then the most recently closed, with the visibility query that found them (paste it in the
 * Temporal UI). Read from search attributes and memos only: no worker needs to serve them. A run
 * encrypted with keys this client lacks is a CouncilUserError saying which keys to set.
 */
export async function listRuns(
  client: Client,
  filter: RunFilter = {},
): Promise<{ query: string; runs: RunRow[] }> {
  const parsed = runFilterSchema.safeParse(filter);
  if (!parsed.success) throw new CouncilUserError(`invalid run filter: ${zodProblem(parsed.error)}`);
  const { kind, status, strategy, minCostUsd, limit } = parsed.data;
  const byStatus = statusClauses(status);
  const query = [
    kind ? `${CouncilKindKey.name} = '${kind}'` : `${CouncilKindKey.name} IN ('session', 'council')`,
    ...byStatus,
    ...(strategy ? [`${CouncilStrategyKey.name} = '${strategy}'`] : []),
    ...(minCostUsd !== undefined ? [`${CouncilCostUsdKey.name} >= ${minCostUsd}`] : []),
    // A clause on how the run ends already leaves continued runs out.
    ...(byStatus.some((clause) => clause.startsWith('ExecutionStatus')) ? [] : [NOT_CONTINUED]),
  ].join(' AND ');
  const runs: RunRow[] = [];
  try {
    for await (const info of client.workflow.list({ query })) {
      runs.push(runRowOf(info));
      if (runs.length >= limit) break;
    }
  } catch (error) {
    // Listing decodes every run's memo: an encrypted one needs the keys.
    throw explainEncrypted(error);
  }
  return { query, runs };
}
