import type { Client, WorkflowHandle } from '@temporalio/client';
import type { CouncilWorkflowResult } from '../../common/council';
import { councilProgressQuery } from '../../common/councilApi';
import { addressLabel } from '../../common/councilRouting';
import { CouncilStrategyKey } from '../../common/searchAttributes';
import { sessionViewQuery, transcriptQuery } from '../../common/sessionApi';
import { findRun, type FoundRun } from '../runs';

/** One answer, message, failure or synthesis as the run page shows it (as text, never as HTML). */
export interface UiEntry {
  round: number;
  from: string;
  /** A session role, a council phase (answer, critique, review), person or synthesizer. */
  role: string;
  status: string;
  content: string;
  tokens: number | null;
  error?: string;
}

/** What the run page polls: enough to draw every tab again. */
export interface RunView {
  id: string;
  kind: 'session' | 'council';
  workflowStatus: string;
  /** True while the workflow runs: the page polls again and offers the message form. */
  live: boolean;
  summary: string;
  strategy: string;
  round: number;
  participants: Array<{ name: string; role: string; tokens: number }>;
  entries: UiEntry[];
  totalTokens: number;
  /** A completed council's peer review: the aggregate, best first, and each reviewer's ranking. */
  rankings?: UiRankings;
}

/** Peer review as the run page shows it: names only, the anonymous labels mapped back. */
export interface UiRankings {
  aggregate: Array<{ place: number; name: string; borda: number; meanRank: number | null; votes: number }>;
  reviewers: Array<{ name: string; status: string; ranking: string[] }>;
  /** Position bias: the Spearman correlation of shown position and rank (null without rankings). */
  positionBias: number | null;
}

/** Most pages of a council's progress log read (500 events each): far above what a council logs. */
const MAX_PAGES = 1_000;

/**
 * A run's page data. `serve` makes sure a worker answers the queries (the CLI starts one in its
 * process on the embedded server); queries work on closed runs too, which a worker replays.
 */
export async function runView(
  client: Client,
  id: string,
  serve: (found: FoundRun) => Promise<void>,
): Promise<RunView> {
  const found = await findRun(client, id);
  await serve(found);
  const { description } = found;
  const head = {
    id,
    kind: found.kind,
    workflowStatus: description.status.name.toLowerCase(),
    live: description.status.name === 'RUNNING',
    summary: found.memo?.question ?? (await description.staticSummary()) ?? '',
  };
  return { ...head, ...(found.kind === 'session' ? await sessionBody(found) : await councilBody(found)) };
}

type Body = Pick<RunView, 'strategy' | 'round' | 'participants' | 'entries' | 'totalTokens' | 'rankings'>;

async function sessionBody({ handle }: FoundRun): Promise<Body> {
  const [view, transcript] = await Promise.all([
    handle.query(sessionViewQuery),
    handle.query(transcriptQuery, { fromIndex: 0 }),
  ]);
  return {
    strategy: view.strategy,
    round: view.round,
    participants: view.participants.map(({ spec, usage }) => ({
      name: spec.name,
      role: spec.role,
      tokens: usage.totalTokens,
    })),
    entries: transcript.map((entry) => ({
      round: entry.round,
      from: entry.from,
      role: entry.role,
      status: entry.status,
      content: entry.content,
      tokens: entry.tokenUsage?.totalTokens ?? null,
    })),
    totalTokens: view.usage.totalTokens,
  };
}

async function councilBody({ handle, description }: FoundRun): Promise<Body> {
  const entries: UiEntry[] = [];
  const tokens = new Map<string, number>();
  let fromEvent = 0;
  let round = 0;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const progress = await handle.query(councilProgressQuery, { fromEvent });
    round = progress.round;
    const byId = new Map(progress.messages.map((message) => [message.id, message]));
    for (const event of progress.events) {
      if (event.kind === 'human') {
        const message = byId.get(event.messageId);
        const address = message && addressLabel(message);
        const to = address ? ` to ${address}` : '';
        entries.push(entry(event.round, message?.senderName ?? 'Human', `person${to}`, message?.content));
      }
      if (event.kind !== 'expert' || event.state === 'thinking') continue;
      const spent = event.tokenUsage?.totalTokens ?? 0;
      tokens.set(event.expertName, (tokens.get(event.expertName) ?? 0) + spent);
      const content = event.messageId ? byId.get(event.messageId)?.content : undefined;
      entries.push({
        ...entry(event.round, event.expertName, event.phase, content),
        status: event.state === 'done' ? 'ok' : 'failed',
        tokens: event.tokenUsage?.totalTokens ?? null,
        ...(event.error ? { error: `${event.error.type}: ${event.error.message}` } : {}),
      });
    }
    fromEvent = progress.nextEvent;
    if (fromEvent >= progress.totalEvents) break;
  }
  const result = await completedResult(handle, description.status.name);
  const participants = [...tokens].map(([name, spent]) => ({ name, role: 'expert', tokens: spent }));
  if (result) {
    const { synthesis } = result;
    const spent = synthesis.tokenUsage.totalTokens;
    participants.push({ name: synthesis.synthesizerName, role: 'synthesizer', tokens: spent });
    entries.push({
      ...entry(result.rounds, synthesis.synthesizerName, 'synthesizer', synthesis.content),
      status: synthesis.status === 'done' ? 'ok' : synthesis.status,
      tokens: synthesis.tokenUsage.totalTokens,
      ...(synthesis.error ? { error: `${synthesis.error.type}: ${synthesis.error.message}` } : {}),
    });
  }
  return {
    strategy: result?.mode ?? description.typedSearchAttributes.get(CouncilStrategyKey) ?? '',
    round,
    participants,
    entries,
    totalTokens: result?.tokenUsage.total.totalTokens ?? [...tokens.values()].reduce((a, b) => a + b, 0),
    ...(result?.aggregateRanking && { rankings: rankingsOf(result) }),
  };
}

function rankingsOf(result: CouncilWorkflowResult): UiRankings {
  return {
    aggregate: (result.aggregateRanking ?? []).map(({ place, expertName, borda, meanRank, votes }) => ({
      place,
      name: expertName,
      borda,
      meanRank,
      votes,
    })),
    reviewers: Object.values(result.rankings ?? {}).map(({ reviewerName, status, ranking }) => ({
      name: reviewerName,
      status,
      ranking: ranking.map((answer) => answer.expertName),
    })),
    positionBias: result.positionBias?.correlation ?? null,
  };
}

function entry(round: number, from: string, role: string, content: string | undefined): UiEntry {
  return { round, from, role, status: 'ok', content: content ?? '', tokens: null };
}

async function completedResult(handle: WorkflowHandle, status: string) {
  return status === 'COMPLETED' ? ((await handle.result()) as CouncilWorkflowResult) : undefined;
}
