import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { MODEL_CALL_ACTIVITY } from '../../activities/types';
import type { ParticipantResponse, SessionView, TranscriptEntry } from '../../common/session';
import { sessionViewQuery, transcriptQuery } from '../../common/sessionApi';
import { watchTokens } from '../tokens';
import type { AnswerRow } from './output';
import type { ParticipantLine, ParticipantState, ProgressRenderer } from './progress';

type PendingActivity = temporal.api.workflow.v1.IPendingActivityInfo;
const POLL_MS = 400;

/** A session response as the CLI prints it. */
export function rowOf(response: ParticipantResponse): AnswerRow {
  return {
    name: response.participantName,
    role: response.participantRole,
    status: response.status,
    content: response.content,
    tokenUsage: response.tokenUsage,
    ...(response.error ? { error: response.error } : {}),
    ...(response.costUsd !== undefined && { costUsd: response.costUsd }),
    ...(response.downgradedTo && { downgradedTo: response.downgradedTo }),
    ...(response.servedBy && { servedBy: response.servedBy }),
    ...(response.kind && { kind: response.kind }),
  };
}

/** A participant's final line, from its response. */
function finalLine(response: ParticipantResponse): ParticipantLine {
  const reason = response.error ? `${response.error.type}: ${response.error.message}` : response.status;
  const state: ParticipantState =
    response.status === 'ok'
      ? { kind: 'done', tokens: response.tokenUsage.totalTokens }
      : response.status === 'failed'
        ? { kind: 'failed', reason }
        : { kind: 'skipped', reason };
  return { name: response.participantName, role: response.participantRole, state };
}

/**
 * Shows a session round until `done` settles: states from the `session` query, answers from the
 * transcript as they land, retries from the pending activities of `describe()`. Returns the responses.
 */
export async function followSessionRound(
  handle: WorkflowHandle,
  done: Promise<ParticipantResponse[]>,
  renderer: ProgressRenderer,
  transcriptFrom: number,
): Promise<ParticipantResponse[]> {
  let finished = false;
  const settled = done.then(
    () => (finished = true),
    () => (finished = true),
  );
  const tracker = new RoundTracker(handle, transcriptFrom, renderer);
  const tokens = watchTokens(handle.client, handle.workflowId, (event) => {
    if (!tracker.printed.has(event.participant)) renderer.text(event.participant, event);
  });
  while (!finished) {
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, POLL_MS))]);
    if (finished) break;
    // A poll can fail while a worker restarts; the next one catches up.
    await tracker.poll().catch(() => undefined);
  }
  await tokens.stop();
  try {
    const responses = await done;
    renderer.update(responses.map(finalLine));
    for (const response of responses) {
      if (response.status === 'ok' && !tracker.printed.has(response.participantName)) {
        renderer.answer(rowOf(response));
      }
    }
    return responses;
  } finally {
    renderer.stop();
  }
}

class RoundTracker {
  private readonly since = new Map<string, number>();
  private readonly tokens = new Map<string, number>();
  /** How each participant that answered this round ended, from the transcript. */
  private readonly ended = new Map<string, TranscriptEntry>();
  /** Participants whose answer was printed. */
  readonly printed = new Set<string>();

  constructor(
    private readonly handle: WorkflowHandle,
    private cursor: number,
    private readonly renderer: ProgressRenderer,
  ) {}

  async poll(): Promise<void> {
    const [view, entries, description] = await Promise.all([
      this.handle.query(sessionViewQuery),
      this.handle.query(transcriptQuery, { fromIndex: this.cursor }),
      this.handle.describe(),
    ]);
    this.cursor += entries.length;
    const answers = entries.filter((entry) => entry.role !== 'user' && entry.role !== 'system');
    for (const entry of answers) {
      this.tokens.set(entry.from, entry.tokenUsage?.totalTokens ?? 0);
      this.ended.set(entry.from, entry);
    }
    // States first: a plain log reads "X: done", then X's answer.
    this.renderer.update(this.lines(view, description.raw.pendingActivities ?? []));
    for (const entry of answers) this.print(entry);
  }

  private print(entry: TranscriptEntry): void {
    if (entry.status !== 'ok') return;
    this.printed.add(entry.from);
    this.renderer.answer({
      name: entry.from,
      role: entry.role,
      status: entry.status,
      content: entry.content,
      tokenUsage: entry.tokenUsage ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
      ...(entry.kind && { kind: entry.kind }),
    });
  }

  private lines(view: SessionView, pending: PendingActivity[]): ParticipantLine[] {
    // A round that ended between two polls has no active states left: the transcript tells the end.
    const ended = Object.fromEntries([...this.ended].map(([name, entry]) => [name, stateName(entry.status)]));
    const states: Record<string, string> = { ...ended, ...view.activeRound?.states };
    const roles = new Map(view.participants.map((p) => [p.spec.name, p.spec.role as string]));
    for (const [name, entry] of this.ended) if (!roles.has(name)) roles.set(name, entry.role);
    const thinking = view.participants.map((p) => p.spec.name).filter((name) => states[name] === 'thinking');
    const activities = matchActivities(thinking, pending);
    const waiting = view.budget?.waiting;
    return Object.entries(states).map(([name, state]) => ({
      name,
      role: roles.get(name) ?? '?',
      // A call an ask budget holds is not thinking: it waits for a person's raise or stop.
      state:
        state === 'thinking' && waiting?.participant === name
          ? { kind: 'budget', untilMs: Date.parse(waiting.until), id: this.handle.workflowId }
          : this.stateOf(name, state, activities.get(name)),
    }));
  }

  private stateOf(name: string, state: string, activity: PendingActivity | undefined): ParticipantState {
    if (state !== 'thinking') this.since.delete(name);
    switch (state) {
      case 'thinking': {
        if (activity && (activity.attempt ?? 1) > 1) {
          return {
            kind: 'retrying',
            attempt: activity.attempt ?? 2,
            ...(activity.maximumAttempts ? { maxAttempts: activity.maximumAttempts } : {}),
            reason: activity.lastFailure?.message?.split('\n')[0] ?? 'retrying',
          };
        }
        const sinceMs = this.since.get(name) ?? Date.now();
        this.since.set(name, sinceMs);
        return { kind: 'thinking', sinceMs };
      }
      case 'done':
        return { kind: 'done', tokens: this.tokens.get(name) ?? 0 };
      case 'failed':
        // The reason arrives with the round's result; until then it is unknown.
        return { kind: 'failed', reason: '' };
      case 'skipped':
        return { kind: 'skipped' };
      default:
        return { kind: 'waiting' };
    }
  }
}

function stateName(status: TranscriptEntry['status']): string {
  return status === 'ok' ? 'done' : status;
}

/**
 * Which pending activity is whose call. Pending activities do not carry their input, so an activity
 * id naming the participant wins; otherwise ids are matched, in scheduling order, to the thinking
 * participants in order of joining, the order in which every strategy schedules concurrent calls.
 */
export function matchActivities(thinking: readonly string[], pending: readonly PendingActivity[]) {
  const matched = new Map<string, PendingActivity>();
  const rest: PendingActivity[] = [];
  for (const activity of pending.filter(
    (candidate) => candidate.activityType?.name === MODEL_CALL_ACTIVITY,
  )) {
    const named = thinking.find((name) => activity.activityId?.includes(name));
    if (named) matched.set(named, activity);
    else rest.push(activity);
  }
  const unmatched = thinking.filter((name) => !matched.has(name));
  if (unmatched.length !== rest.length) return matched;
  rest.sort((a, b) => Number(a.activityId) - Number(b.activityId));
  unmatched.forEach((name, index) => {
    const activity = rest[index];
    if (activity) matched.set(name, activity);
  });
  return matched;
}
