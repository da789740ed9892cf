import type { Client } from '@temporalio/client';
import { sessionViewQuery, transcriptQuery } from '../../common/sessionApi';
import { findRun, type FoundRun } from '../api/runs';
import { isSimulatedQueue } from '../runtime/commandRuntime';
import { readRunHistory, type CallTime, type ShownNames } from './runHistory';
import { councilBody } from './councilView';
import type { UiRankings } from './rankings';

export type { UiRankings } from './rankings';

/** One answer, message, failure or synthesis as the run page shows it (as text, never as HTML). */
export interface UiEntry {
  round: number;
  from: string;
  /** A session role, a council phase (answer, critique, review), person or synthesizer. */
  role: string;
  status: string;
  content: string;
  tokens: number | null;
  /** Milliseconds of the model call(s) behind it, from the history; null for messages and unknown calls. */
  ms?: number | null;
  /**
   * What the participant was shown: a completed council expert's turn, the conversation history its
   * prompt held; a session participant's answer, whose answers of the round its prompt held.
   */
  shown?: string;
  error?: string;
}

/** A participant's line in the usage table and chart. */
export interface UiParticipant {
  name: string;
  /** How call ids and token streams name it: a session participant's name, a council expert's id. */
  id: string;
  role: string;
  tokens: number;
  /** Milliseconds of its finished calls in the current run (null: none recorded yet). */
  ms: number | null;
}

/** What the run page polls: enough to draw every tab again. */
export interface RunView {
  id: string;
  kind: 'session' | 'council';
  workflowStatus: string;
  /** True while the workflow runs: the page polls again and offers the message form. */
  live: boolean;
  summary: string;
  /** On a simulated queue: its answers come from a local mock, not a model. */
  simulated: boolean;
  strategy: string;
  round: number;
  participants: UiParticipant[];
  entries: UiEntry[];
  totalTokens: number;
  /** A council awaiting a person: when the wait ends (workflow time, ISO 8601 UTC) and seconds left. */
  waiting?: { until: string; secondsLeft: number };
  /** A completed council's peer review: the aggregate, best first, and each reviewer's ranking. */
  rankings?: UiRankings;
}

/** What the kind-specific readers return; `waitingUntil` becomes {@link RunView.waiting}. */
export type RunBody = Pick<
  RunView,
  'strategy' | 'round' | 'participants' | 'entries' | 'totalTokens' | 'rankings'
> & {
  waitingUntil?: string;
};

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
    simulated: isSimulatedQueue(description.taskQueue),
  };
  const history = await readRunHistory(client, id);
  const { waitingUntil, ...body } =
    found.kind === 'session'
      ? await sessionBody(found, history.times, history.shown)
      : await councilBody(found, history.times);
  const secondsLeft = waitingUntil && Math.max(0, Math.round((Date.parse(waitingUntil) - Date.now()) / 1000));
  return {
    ...head,
    ...body,
    ...(waitingUntil && { waiting: { until: waitingUntil, secondsLeft: Number(secondsLeft) } }),
  };
}

/** Milliseconds of a participant's calls, in one round or in all. */
function timeOf(times: readonly CallTime[], name: string, round?: number): number | null {
  const mine = times.filter((t) => t.participant === name && (round === undefined || t.round === round));
  return mine.length ? mine.reduce((sum, t) => sum + t.ms, 0) : null;
}

/** A session answer's `shown`: the names of the answers its prompt held, from the round's result. */
function shownText(shown: readonly ShownNames[], name: string, round: number): string | undefined {
  const names = shown.find((s) => s.participant === name && s.round === round)?.shown;
  if (names === undefined) return undefined;
  return names.length ? `The answers of ${names.join(', ')}` : "No other participant's answer";
}

async function sessionBody(
  { handle }: FoundRun,
  times: readonly CallTime[],
  shown: readonly ShownNames[],
): Promise<RunBody> {
  const [view, transcript] = await Promise.all([
    handle.query(sessionViewQuery),
    handle.query(transcriptQuery, { fromIndex: 0 }),
  ]);
  return {
    strategy: view.strategy,
    round: view.round,
    participants: view.participants.map(({ spec, usage }) => ({
      name: spec.name,
      id: spec.name,
      role: spec.role,
      tokens: usage.totalTokens,
      ms: timeOf(times, spec.name),
    })),
    entries: transcript.map((entry) => {
      const message = entry.role === 'user' || entry.role === 'system';
      const seen = message ? undefined : shownText(shown, entry.from, entry.round);
      return {
        round: entry.round,
        from: entry.from,
        role: entry.role,
        status: entry.status,
        content: entry.content,
        tokens: entry.tokenUsage?.totalTokens ?? null,
        ms: message ? null : timeOf(times, entry.from, entry.round),
        ...(seen !== undefined && { shown: seen }),
      };
    }),
    totalTokens: view.usage.totalTokens,
  };
}
