import type {
  CouncilContextInput,
  CouncilWorkflowResult,
  ExpertInput,
  ExpertMessageData,
} from '../../common/council';
import type { CouncilStatus, ProgressEvent } from '../../common/councilApi';
import type { SeedOnlyContextFields, SeedOnlyExpertFields } from './seedContext';
import type { ShownContext } from './shownContext';
import type { OnToken } from './tokens';

// The seed's council types as a caller holds them: timestamps are `Date`s, experts carry handlers.

/** The seed's `ExpertMessage`: the stored message with its timestamp as a `Date`. */
export interface ExpertMessage extends Omit<ExpertMessageData, 'timestamp'> {
  timestamp: Date;
}

/**
 * The seed's `ConversationContext`: what one expert was shown (see ./shownContext). `turns` is
 * optional so the seed's own literals still type-check; a result's contexts always have it.
 */
export type ConversationContext = Omit<ShownContext<ExpertMessage>, 'turns'> &
  Partial<Pick<ShownContext<ExpertMessage>, 'turns'>>;

/** An expert as a caller gives it: the workflow's plain-JSON spec plus the seed's client-side fields. */
export type CouncilExpert = ExpertInput & SeedOnlyExpertFields<ExpertMessage, ConversationContext>;

/** The seed's `ExecutionContext`, without an API key: keys live in the worker. */
export type ExecutionContext = Omit<CouncilContextInput, 'activeExperts'> &
  SeedOnlyContextFields & {
    activeExperts: CouncilExpert[];
  };

/** The seed's `ExecutionResult`; `messages` and `conversationContext` only when messaging is on. */
export interface ExecutionResult extends Omit<CouncilWorkflowResult, 'messages' | 'contextRefs'> {
  councilId: string;
  messages?: ExpertMessage[];
  /** What each expert was shown, at its latest turn and at every turn (see ./shownContext). */
  conversationContext?: Record<string, ShownContext<ExpertMessage>>;
}

/** An expert starting, finishing or failing a turn; `seq` is its place in the council's progress log. */
export type ExpertUpdate = Omit<Extract<ProgressEvent, { kind: 'expert' }>, 'at'> & {
  at: Date;
  /** What the expert said this turn (when it is still in the transcript). */
  content?: string;
  /** The message the answer became, with its type, audience and the message it replies to (state `done`). */
  message?: ExpertMessage;
};
/** Called as an expert starts, finishes or fails a turn. */
export type OnExpertUpdate = (expertId: string, update: ExpertUpdate) => void | Promise<void>;
/** Called as the council's status (or the round it is in) changes. */
export type OnStatusUpdate = (
  status: CouncilStatus,
  /**
   * `until`: while `awaiting-human`, when the wait ends if no person writes. `synthesizer`: with
   * `synthesizing`, the synthesizer's name (absent when the worker that logged it predates 2026-12-06).
   */
  update: { detail: string; seq: number; at: Date; until?: Date; synthesizer?: string },
) => void | Promise<void>;
/** Called when a person's message comes into the council (`sendHumanMessage`), after round `round`. */
export type OnHumanMessage = (
  message: ExpertMessage,
  update: { round: number; seq: number; at: Date },
) => void | Promise<void>;

/** What a caller following a council is told; callbacks run in log order, each awaited. */
export interface CouncilCallbacks {
  onExpertUpdate?: OnExpertUpdate;
  onStatusUpdate?: OnStatusUpdate;
  onHumanMessage?: OnHumanMessage;
  /** Called for every message routed to that expert (messaging on), by expert id. */
  messageHandlers?: Record<string, (message: ExpertMessage) => void | Promise<void>>;
  /** Called with each expert's (and the synthesizer's) text as it streams (client/api/tokens.ts). */
  onToken?: OnToken;
  /**
   * The log no longer holds events from `fromEvent` (it keeps its newest, see
   * COUNCIL_PROGRESS_LIMITS): the follower goes on from `firstEvent`, the oldest still held.
   */
  onEventsDropped?: (dropped: { fromEvent: number; firstEvent: number }) => void | Promise<void>;
  /** Resume after this many events of the log (the last `seq` seen + 1); 0 replays from the start. */
  fromEvent?: number;
  pollIntervalMs?: number;
}

/** The stored message in the seed's shape, its timestamp a `Date`. */
export function toExpertMessage(message: ExpertMessageData): ExpertMessage {
  return { ...message, timestamp: new Date(message.timestamp) };
}
