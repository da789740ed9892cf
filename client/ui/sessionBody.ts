import { sessionViewQuery, transcriptQuery } from '../../common/sessionApi';
import { readRunLog } from '../api/runLog';
import type { FoundRun } from '../api/runs';
import { SessionRoundTracker } from '../api/sessionRoundTracker';
import type { RoundCallState } from '../api/sessionRoundWatch';
import type { CallTime, ShownNames } from './runHistory';
import type { RunBody, UiMessage } from './runView';

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

/**
 * Each participant's state in its latest round, and the messages rounds began with, from the
 * session's progress log (the same reader as `followRun`); a call in its retry backoff is shown
 * retrying, from the run's pending calls.
 */
async function fromLog({ handle, description }: FoundRun): Promise<{
  states: Map<string, RoundCallState>;
  messages: UiMessage[];
}> {
  const items = await readRunLog(handle, 'session');
  const tracker = new SessionRoundTracker(0);
  const messages: UiMessage[] = [];
  const events = items.flatMap((item) => (item.kind === 'session' ? [item] : []));
  for (const { event } of events) {
    if (event.kind !== 'message') continue;
    const { round, from, content, truncated } = event;
    messages.push({ round, from, content, ...(truncated && { truncated }) });
  }
  tracker.readEvents(events);
  const now = tracker.now(description.raw.pendingActivities ?? []);
  const status = description.status.name;
  const ended = status !== 'RUNNING' && status !== 'CONTINUED_AS_NEW';
  const states = now.participants.map((p): [string, RoundCallState] => [
    p.name,
    ended && IN_FLIGHT.has(p.state.kind) ? endedWith(status) : p.state,
  ]);
  return { states: new Map(states), messages };
}

/** States of a call still going: a closed session has none, whatever its log last said. */
const IN_FLIGHT = new Set(['waiting', 'thinking', 'retrying', 'budget']);

/** What became of a call the session ended during (cancelled, terminated, failed, timed out). */
function endedWith(status: string): RoundCallState {
  const ended = status.toLowerCase().replace('_', ' ');
  return {
    kind: 'skipped',
    error: { type: 'SessionEnded', message: `the session ended (${ended}) during this call` },
  };
}

/** A session's page data: its participants with their states, its transcript and the log's messages. */
export async function sessionBody(
  found: FoundRun,
  times: readonly CallTime[],
  shown: readonly ShownNames[],
): Promise<RunBody> {
  const [view, transcript, log] = await Promise.all([
    found.handle.query(sessionViewQuery),
    found.handle.query(transcriptQuery, { fromIndex: 0 }),
    fromLog(found),
  ]);
  const participants = view.participants.map(({ spec, usage }) => {
    const state = log.states.get(spec.name);
    return {
      name: spec.name,
      id: spec.name,
      role: spec.role,
      tokens: usage.totalTokens,
      ms: timeOf(times, spec.name),
      ...(state && { state }),
    };
  });
  const otherTokens = view.usage.totalTokens - participants.reduce((sum, p) => sum + p.tokens, 0);
  return {
    strategy: view.strategy,
    round: view.round,
    participants,
    ...(otherTokens > 0 && { otherTokens }),
    messages: log.messages,
    entries: transcript.map((entry) => {
      const message = entry.role === 'user' || entry.role === 'system';
      const seen = message ? undefined : shownText(shown, entry.from, entry.round);
      return {
        round: entry.round,
        from: entry.from,
        // A message to some participants names them, as a council's person's message does.
        role: entry.to ? `${entry.role} to ${entry.to.join(', ')}` : entry.role,
        status: entry.status,
        content: entry.content,
        tokens: entry.tokenUsage?.totalTokens ?? null,
        ms: message ? null : timeOf(times, entry.from, entry.round),
        ...(seen !== undefined && { shown: seen }),
        // Every round's failure keeps its reason (the states show the latest round's only).
        ...(entry.error && { error: `${entry.error.type}: ${entry.error.message}` }),
      };
    }),
    totalTokens: view.usage.totalTokens,
  };
}
