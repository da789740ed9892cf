import { defineQuery } from '@temporalio/workflow';
import type { TokenUsage } from './llm';
import type { ParticipantRole } from './participants';
import type { ResponseKind, RoundResult, TranscriptEntry } from './sessionRound';
import type { Unstamped } from './unstamped';

/** Bounds of a session's progress log, which the session carries across continue-as-new. */
export const SESSION_PROGRESS_LIMITS = {
  /** Events kept (the newest); older ones are dropped and counted, so indices never change. */
  maxEvents: 256,
  /** Most events one query returns. */
  maxPage: 256,
  /** Characters of a round's message or an error message an event keeps (the transcript has the rest). */
  maxTextChars: 400,
} as const;

/** Fields every event has: its index in the log (monotonic for the session's life), time and round. */
export interface SessionProgressEventBase {
  index: number;
  /** Workflow time, ISO 8601 UTC. */
  at: string;
  round: number;
}

/** A call's state in the log; `waiting` is never logged (a round's participants start there). */
export type LoggedCallState = 'thinking' | 'done' | 'failed' | 'skipped';

/** One entry of a session's progress log. */
export type SessionProgressEvent = SessionProgressEventBase &
  (
    | {
        /** A round began with this message from a person (`user`) or a `system` instruction. */
        kind: 'message';
        from: 'user' | 'system';
        /** Its first SESSION_PROGRESS_LIMITS.maxTextChars characters; `truncated` when there was more. */
        content: string;
        truncated?: true;
        /** Its absolute index in the transcript (as `view().transcriptLength` counts). */
        transcriptIndex: number;
        /** The id of the `sendMessage` update that asked for the round: a sender follows its own round. */
        updateId?: string;
        /** Who the round will call (observers aside), in the order their states start: all `waiting`. */
        answering: Array<{ name: string; role: ParticipantRole }>;
      }
    | {
        /** A participant's call changed state. */
        kind: 'call';
        participant: string;
        role: ParticipantRole;
        state: LoggedCallState;
        /** Ended calls: the transcript entry of the answer (absent for one who left before its turn). */
        transcriptIndex?: number;
        tokenUsage?: TokenUsage;
        error?: { type: string; message: string };
        /** The call ended after a quorum or deadline closed its round. */
        late?: true;
        responseKind?: ResponseKind;
        costUsd?: number;
        downgradedTo?: string;
      }
    | {
        /** A call an `onExhausted: ask` budget held: `waiting` until `until`, then `room` or `stopped`. */
        kind: 'budget';
        participant: string;
        phase: string;
        state: 'waiting' | 'room' | 'stopped';
        until: string;
        /** State `stopped`: a person stopped the budget, or no one answered by `until`. */
        stoppedBy?: 'person' | 'timeout';
      }
    | {
        /** The round's responses are in; calls it left running (`closedEarly.late`) end later, `late`. */
        kind: 'roundEnd';
        closedEarly?: RoundResult['closedEarly'];
      }
  );

/** A session event before the log numbers and times it. */
export type NewSessionEvent = Unstamped<SessionProgressEvent, 'index' | 'at'>;

/** One page of a session's progress log, with the transcript entries its events name (those still held). */
export interface SessionProgressPage {
  round: number;
  closed: boolean;
  events: SessionProgressEvent[];
  /** Pass this as `fromEvent` to read on. */
  nextEvent: number;
  /** Events ever logged: the reader has caught up when `nextEvent` reaches it. */
  totalEvents: number;
  /** The oldest index the log still holds: a reader that asked from before it missed the ones between. */
  firstEvent: number;
  /** The answers (ended calls) the page's events name, by absolute transcript index. */
  entries: Array<{ index: number; entry: TranscriptEntry }>;
}

/** The session's progress log from `fromEvent` on (at most SESSION_PROGRESS_LIMITS.maxPage events). */
export const sessionProgressQuery = defineQuery<
  SessionProgressPage,
  [{ fromEvent?: number; maxEvents?: number } | undefined]
>('sessionProgress');
