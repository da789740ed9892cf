import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { nameSchema } from './names';
import { addressSchema, MESSAGE_PRIORITIES } from './councilRouting';
import { COUNCIL_LIMITS, MESSAGE_TYPES, type ExpertMessageData, type ExpertMessageType } from './council';
import type { TokenUsage } from './llm';
import { SHOWS_NOTHING, showsSomething, tidyMessage } from './validation';
import { laterCheck } from './laterChecks';

/**
 * Every status of a council, each also published as the CouncilStatus search attribute. A council
 * ends `completed` with its conclusion, `no-conclusion` when its synthesis was skipped (no expert
 * answered) or failed, or `cancelled`.
 */
export const COUNCIL_STATUSES = [
  'running',
  'awaiting-human',
  'synthesizing',
  'completed',
  'no-conclusion',
  'cancelled',
] as const;
/** A council's status, also published as the CouncilStatus search attribute. */
export type CouncilStatus = (typeof COUNCIL_STATUSES)[number];

/** Whether a council with this status has done its work: no progress event follows it. */
export function councilFinished(status: CouncilStatus): boolean {
  return status === 'completed' || status === 'no-conclusion';
}

/** What an expert's turn is for: giving a position, critiquing the others', or ranking them (peer review). */
export type TurnPhase = 'answer' | 'critique' | 'review';

/**
 * Where an expert's turn is: its call in flight, answered, failed (after its retries), or skipped by
 * a person ({@link skipExpertUpdate}).
 */
export type ExpertCallState = 'thinking' | 'done' | 'failed' | 'skipped';

/** One entry of the council's durable progress log; `seq` is its index in the log. */
export type ProgressEvent =
  | {
      seq: number;
      at: string;
      kind: 'status';
      status: CouncilStatus;
      detail: string;
      /** While `awaiting-human`: when the wait ends without a message (workflow time, ISO 8601 UTC). */
      until?: string;
      /**
       * With `synthesizing`: the synthesizer's name. Absent when a worker older than 2026-12-06
       * wrote the log (a worker that replays the council builds it again, with its own code).
       */
      synthesizer?: string;
    }
  | {
      seq: number;
      at: string;
      kind: 'expert';
      expertId: string;
      expertName: string;
      state: ExpertCallState;
      round: number;
      phase: TurnPhase;
      /** State `thinking`: the messages the turn took from the expert's inbox (none: left out). */
      delivered?: string[];
      /** The message the expert's answer became (state `done`). */
      messageId?: string;
      messageType?: ExpertMessageType;
      tokenUsage?: TokenUsage;
      error?: { type: string; message: string };
      /** The call ended after its round closed (quorum or deadline): left out of the synthesis. */
      late?: boolean;
      /** Under a budget, when the call ended: what it cost in USD as the budget counted it. */
      costUsd?: number;
      /** Under a budget that downgrades: `provider/model` the call was sent to instead. */
      downgradedTo?: string;
    }
  | {
      seq: number;
      at: string;
      /** A person's message came in (whether messaging is on or not); the message is in the page. */
      kind: 'human';
      messageId: string;
      round: number;
    }
  | {
      seq: number;
      at: string;
      kind: 'message';
      messageId: string;
      /** The experts this message was routed to (the sender is not among them). */
      deliveredTo: string[];
      /** The message came from the earlier conversation this council went on from (`continueFrom`). */
      carried?: true;
      /** A carried message's round and phase in that conversation (none: it came without them). */
      round?: number;
      phase?: TurnPhase;
    };

/** One page of the progress log, with the messages its events refer to (those still held). */
export interface CouncilProgress {
  status: CouncilStatus;
  round: number;
  /** True once the council has done its work ({@link councilFinished}): no event follows the last one. */
  done: boolean;
  events: ProgressEvent[];
  /** Pass this as `fromEvent` to read on. */
  nextEvent: number;
  /** Events in the log so far: the reader has caught up when `nextEvent` reaches it. */
  totalEvents: number;
  /**
   * The oldest event still held ({@link COUNCIL_PROGRESS_LIMITS}): a reader asking from before it
   * missed `firstEvent - fromEvent` events, and its page starts here.
   */
  firstEvent: number;
  messages: ExpertMessageData[];
  /** Messages dropped from the transcript to stay within its size budget. */
  droppedMessages: number;
  /** Each expert's inbox: ids of the messages waiting for its next turn, oldest first. */
  inboxes: Record<string, string[]>;
}

/** Arguments of {@link councilProgressQuery}. */
export interface ProgressRequest {
  fromEvent?: number;
  maxEvents?: number;
}

/** Most events one progress query returns, so a page stays far below the payload limit. */
export const MAX_EVENTS_PER_PAGE = 500;

/**
 * Bounds of a council's progress log, as a session's: the newest events are kept, older ones
 * dropped and counted, so `seq` never changes. A council of 32 experts debating 20 rounds logs
 * thousands of events, each naming the messages it delivered: without a bound its state grows with it.
 */
export const COUNCIL_PROGRESS_LIMITS = {
  /** Events kept: a panel of four debating 20 rounds with messaging (about 500 events) keeps them all. */
  maxEvents: 512,
  /** JSON bytes of the events kept; the newest event is kept whatever its size. */
  maxBytes: 512 * 1024,
} as const;

/** A person's message injected into a running council. */
export const humanMessageSchema = z
  .object({
    content: z
      .string()
      .overwrite(tidyMessage)
      .min(1, 'the message is empty: write what the experts should read')
      .refine(
        (text) => laterCheck(showsSomething(text)),
        `the message ${SHOWS_NOTHING}: write what the experts should read`,
      )
      .max(
        COUNCIL_LIMITS.maxStoredMessageChars,
        `the message is longer than ${COUNCIL_LIMITS.maxStoredMessageChars} characters: shorten it or send it in parts`,
      ),
    /**
     * Omit to address every expert; else an expert id, `role:<role>`, a group name, or a list of
     * expert ids and group names (see common/councilRouting.ts).
     */
    recipient: addressSchema.optional(),
    /** `urgent`: every expert it reaches reads it first at its next turn. */
    priority: z.enum(MESSAGE_PRIORITIES).optional(),
    replyTo: z.string().min(1).optional(),
    type: z.enum(MESSAGE_TYPES).default('clarification'),
    senderName: nameSchema('senderName').default('Human'),
  })
  .strict();
export type HumanMessageInput = z.input<typeof humanMessageSchema>;

/** Routes a person's message into the council; resolves with the message as stored. */
export const injectHumanMessageUpdate = defineUpdate<ExpertMessageData, [HumanMessageInput]>(
  'injectHumanMessage',
);

/** The progress log from `fromEvent` on: what clients poll to drive their callbacks. */
export const councilProgressQuery = defineQuery<CouncilProgress, [ProgressRequest]>('councilProgress');

/** What {@link skipExpertUpdate} did: the expert's turn it cut short and how many calls it cancelled. */
export interface ExpertSkip {
  expertId: string;
  round: number;
  /** The expert's own call, and its hedge's backup when that had started too. */
  cancelledCalls: number;
}

/**
 * Skips an expert's call in flight (by expert id): its calls are cancelled, its turn is recorded as
 * `skipped` and the round goes on without it. Refused (InvalidRequest) for an unknown expert id or
 * an expert with no call in flight.
 */
export const skipExpertUpdate = defineUpdate<ExpertSkip, [string]>('skipExpert');
