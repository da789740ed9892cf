import type { TranscriptEntry } from '../../common/session';
import type { SessionProgressEvent } from '../../common/sessionProgress';
import { retriesOf, type PendingActivity } from './pendingCalls';
import type { RoundCallState, RoundParticipant, SessionRoundProgress } from './sessionRoundWatch';

type CallEvent = Extract<SessionProgressEvent, { kind: 'call' }>;
type MessageEvent = Extract<SessionProgressEvent, { kind: 'message' }>;

/** The one round a tracker follows, if one: by the update that asked for it, or by its number. */
export interface RoundChoice {
  updateId?: string;
  round?: number;
}

/**
 * Replays a session's progress log (common/sessionProgress.ts) into round progress: the rounds
 * whose message is at or after `fromIndex` in the transcript, each participant's state, and the
 * answers as their calls end. Every state change is one progress, so no state is ever skipped,
 * however fast a call was.
 */
export class SessionRoundTracker {
  private readonly rounds = new Set<number>();
  private readonly states = new Map<string, RoundParticipant>();

  /**
   * `only`: follow one round, the one an update asked for (`updateId`) or by its number (`round`):
   * a session's rounds follow one another when several people send. A round logged without its
   * update's id (by an older worker) is followed as any other.
   */
  constructor(
    private readonly fromIndex: number,
    private readonly only: RoundChoice = {},
  ) {}

  /** Reads events as {@link followRun} yields them: one progress per change of state, in order. */
  readEvents(
    items: ReadonlyArray<{ event: SessionProgressEvent; entry?: TranscriptEntry }>,
  ): SessionRoundProgress[] {
    const progresses: SessionRoundProgress[] = [];
    for (const { event, entry } of items) {
      const answer = this.apply(event, entry);
      if (answer === false) continue;
      progresses.push({ participants: this.participants(), answers: answer ? [answer] : [] });
    }
    return progresses;
  }

  /** Participants whose call is in flight (not held by a budget): the ones a retry can belong to. */
  thinking(): string[] {
    return [...this.states.values()].filter((p) => p.state.kind === 'thinking').map((p) => p.name);
  }

  /** The states now, with the calls among `pending` that are being retried shown so. */
  now(pending: readonly PendingActivity[]): SessionRoundProgress {
    const retries = new Map(retriesOf(this.thinking(), pending).map((retry) => [retry.participant, retry]));
    const participants = this.participants().map((participant) => {
      const retry = retries.get(participant.name);
      if (!retry || participant.state.kind !== 'thinking') return participant;
      const { attempt, maxAttempts, reason } = retry;
      const state: RoundCallState = {
        kind: 'retrying',
        attempt,
        ...(maxAttempts !== undefined && { maxAttempts }),
        reason,
      };
      // Dated when its last attempt failed, not when the call first began.
      return { ...participant, state, ...(retry.failedAt && { since: retry.failedAt }) };
    });
    return { participants, answers: [] };
  }

  /**
   * Applies one event: false when it changes no state of a watched round, else the answer its call
   * ended with (undefined when none: a start, a wait, an answer the transcript no longer holds).
   */
  private apply(
    event: SessionProgressEvent,
    entry: TranscriptEntry | undefined,
  ): TranscriptEntry | false | undefined {
    if (event.kind === 'message' && event.transcriptIndex >= this.fromIndex && this.chosen(event)) {
      this.rounds.add(event.round);
      for (const { name, role } of event.answering) this.set(name, role, { kind: 'waiting' }, event.at);
      return undefined;
    }
    if (!this.rounds.has(event.round)) return false;
    switch (event.kind) {
      case 'call':
        this.set(event.participant, event.role, callState(event), event.at);
        return entry;
      case 'budget': {
        // A stopped wait ends in the call's own event (skipped, with the refusal): it never thinks.
        if (event.state === 'stopped') return false;
        const known = this.states.get(event.participant);
        const state: RoundCallState =
          event.state === 'waiting' ? { kind: 'budget', until: event.until } : { kind: 'thinking' };
        this.set(event.participant, known?.role ?? '?', state, event.at);
        return undefined;
      }
      default:
        return false;
    }
  }

  /** Whether the round `message` begins is one this tracker follows. */
  private chosen(message: MessageEvent): boolean {
    const { updateId, round } = this.only;
    if (round !== undefined && message.round !== round) return false;
    return updateId === undefined || message.updateId === undefined || message.updateId === updateId;
  }

  private set(name: string, role: string, state: RoundCallState, since: string): void {
    this.states.set(name, { name, role, state, since });
  }

  private participants(): RoundParticipant[] {
    return [...this.states.values()];
  }
}

/** A call event's state as the watch shows it. */
function callState(event: CallEvent): RoundCallState {
  switch (event.state) {
    case 'thinking':
      return { kind: 'thinking' };
    case 'done':
      return { kind: 'done', tokens: event.tokenUsage?.totalTokens ?? 0, ...(event.late && { late: true }) };
    default:
      return {
        kind: event.state,
        ...(event.error && { error: event.error }),
        ...(event.late && { late: true }),
      };
  }
}
