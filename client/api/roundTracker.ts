import type { SessionView, TranscriptEntry } from '../../common/session';
import { retriesOf, type CallRetry, type PendingActivity } from './pendingCalls';

/** Where one participant's call stands in the round being played. */
export type RoundCallState =
  | { kind: 'waiting' }
  | { kind: 'thinking' }
  | { kind: 'retrying'; attempt: number; maxAttempts?: number; reason: string }
  /** Held by an `onExhausted: ask` budget until a person raises or stops it, or `until` (ISO) passes. */
  | { kind: 'budget'; until: string }
  | { kind: 'done'; tokens: number }
  /** The reason arrives with the round's result. */
  | { kind: 'failed' }
  | { kind: 'skipped' };

/** One participant of the round, with its state. */
export interface RoundParticipant {
  name: string;
  role: string;
  state: RoundCallState;
}

/** Every participant of the round and the answers new since the last poll. */
export interface RoundSnapshot {
  /** Every participant of the round: states from the session, ended ones from the transcript. */
  participants: RoundParticipant[];
  /** The answers (failed and skipped ones included) recorded since the last progress, in order. */
  answers: TranscriptEntry[];
}

/**
 * What a round watch knows between polls: where it got to in the transcript, and how each
 * participant that answered this round ended (a round that ended between two polls has no active
 * states left, so the transcript tells the end).
 */
export class RoundTracker {
  /** How each participant that answered this round ended, from the transcript. */
  private readonly ended = new Map<string, TranscriptEntry>();

  constructor(public cursor: number) {}

  progress(
    view: SessionView,
    entries: TranscriptEntry[],
    pending: readonly PendingActivity[],
  ): RoundSnapshot {
    this.cursor += entries.length;
    const answers = entries.filter((entry) => entry.role !== 'user' && entry.role !== 'system');
    for (const entry of answers) this.ended.set(entry.from, entry);
    return { participants: this.participants(view, pending), answers };
  }

  private participants(view: SessionView, pending: readonly PendingActivity[]): RoundParticipant[] {
    // A round that ended between two polls has no active states left: the transcript tells the end.
    const ended = Object.fromEntries([...this.ended].map(([name, entry]) => [name, stateName(entry.status)]));
    const states: Record<string, string> = { ...ended, ...view.activeRound?.states };
    const roles = new Map(view.participants.map((p) => [p.spec.name, p.spec.role as string]));
    for (const [name, entry] of this.ended) if (!roles.has(name)) roles.set(name, entry.role);
    const thinking = view.participants.map((p) => p.spec.name).filter((name) => states[name] === 'thinking');
    const retries = new Map(retriesOf(thinking, pending).map((retry) => [retry.participant, retry]));
    const waiting = view.budget?.waiting;
    return Object.entries(states).map(([name, state]) => ({
      name,
      role: roles.get(name) ?? '?',
      // A call an ask budget holds is not thinking: it waits for a person's raise or stop.
      state:
        state === 'thinking' && waiting?.participant === name
          ? { kind: 'budget', until: waiting.until }
          : this.stateOf(name, state, retries.get(name)),
    }));
  }

  private stateOf(name: string, state: string, retry: CallRetry | undefined): RoundCallState {
    switch (state) {
      case 'thinking':
        if (!retry) return { kind: 'thinking' };
        return {
          kind: 'retrying',
          attempt: retry.attempt,
          ...(retry.maxAttempts !== undefined && { maxAttempts: retry.maxAttempts }),
          reason: retry.reason,
        };
      case 'done':
        return { kind: 'done', tokens: this.ended.get(name)?.tokenUsage?.totalTokens ?? 0 };
      case 'failed':
      case 'skipped':
        return { kind: state };
      default:
        return { kind: 'waiting' };
    }
  }
}

function stateName(status: TranscriptEntry['status']): string {
  return status === 'ok' ? 'done' : status;
}
