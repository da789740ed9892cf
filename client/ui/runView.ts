import type { Client } from '@temporalio/client';
import { CouncilStrategyKey } from '../../common/searchAttributes';
import { endReason } from '../api/ended';
import { findRun, type FoundRun } from '../api/runs';
import { endedEarly, wholeQuestion } from '../api/runRow';
import { isSimulatedQueue } from '../runtime/commandRuntime';
import type { RoundCallState } from '../api/sessionRoundWatch';
import { readRunHistory } from './runHistory';
import { councilBody } from './councilView';
import { sessionBody } from './sessionBody';
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
  /** A council expert whose first turn has not begun (a sequential council's later experts). */
  pending?: true;
  /** A session participant's state in its latest round, from the session's progress log. */
  state?: RoundCallState;
}

/** A message a session round began with, from its progress log (its first 400 characters). */
export interface UiMessage {
  round: number;
  from: 'user' | 'system';
  content: string;
  truncated?: true;
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
  /**
   * A session's tokens of calls no participant of the table made: a selector's picks, and
   * participants since removed. Absent when there are none.
   */
  otherTokens?: number;
  /** A session's messages, in the order its rounds began with them. */
  messages?: UiMessage[];
  /** A council awaiting a person: when the wait ends (workflow time, ISO 8601 UTC) and seconds left. */
  waiting?: { until: string; secondsLeft: number };
  /** A completed council's peer review: the aggregate, best first, and each reviewer's ranking. */
  rankings?: UiRankings;
  /** A run that failed, was terminated or timed out: why, as Temporal recorded it. */
  failure?: string;
}

/** What the kind-specific readers return; `waitingUntil` becomes {@link RunView.waiting}. */
export type RunBody = Pick<
  RunView,
  'strategy' | 'round' | 'participants' | 'entries' | 'totalTokens' | 'otherTokens' | 'rankings' | 'messages'
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
    // The whole question or task, which the list cuts; the server's static summary is cut too.
    summary:
      wholeQuestion(description.memo) ?? found.memo?.question ?? (await description.staticSummary()) ?? '',
    simulated: isSimulatedQueue(description.taskQueue),
  };
  const read = async (): Promise<RunBody> => {
    const history = await readRunHistory(client, id);
    return found.kind === 'session'
      ? sessionBody(found, history.times, history.shown)
      : councilBody(found, history.times);
  };
  // A run that failed, was terminated or timed out: the page shows why.
  const reason = endedEarly(description.status.name) ? await endReason(found.handle) : undefined;
  // A closed run that never ran a workflow task (terminated at once) answers no query: its head
  // and how it ended are still worth a page.
  let unreadable: string | undefined;
  const { waitingUntil, ...body } = await read().catch((error: unknown): RunBody => {
    if (head.live) throw error;
    unreadable = `its state cannot be read (${error instanceof Error ? error.message : String(error)})`;
    const strategy = description.typedSearchAttributes.get(CouncilStrategyKey) ?? '';
    return { strategy, round: 0, participants: [], entries: [], totalTokens: 0 };
  });
  const failure = [reason, unreadable].filter(Boolean).join('; ');
  const secondsLeft = waitingUntil && Math.max(0, Math.round((Date.parse(waitingUntil) - Date.now()) / 1000));
  return {
    ...head,
    ...body,
    ...(waitingUntil && { waiting: { until: waitingUntil, secondsLeft: Number(secondsLeft) } }),
    ...(failure && { failure }),
  };
}
