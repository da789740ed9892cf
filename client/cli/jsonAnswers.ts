import { z } from 'zod';
import { storedMessageFields } from '../../common/savedConversation';
import { failure, isoTime, usage } from './jsonParts';

// The parts every document about a run shares: an answer, a message, a person's message, the stats.
// The documents themselves are in jsonOutput.ts (sessions, lists) and jsonCouncil.ts (councils).

/** One participant's, expert's or the synthesizer's outcome. */
export const answerJson = z.object({
  name: z.string(),
  role: z.string(),
  status: z.enum(['ok', 'failed', 'skipped']),
  content: z.string(),
  tokenUsage: usage,
  error: failure.optional(),
  /** What the call cost in USD as a session's budget counted it; under a budget only. */
  costUsd: z.number().optional(),
  /** `provider/model` a session's budget sent the call to instead of the participant's own. */
  downgradedTo: z.string().optional(),
  /** Identity of the worker that made the call; absent when the result does not record it. */
  servedBy: z.string().optional(),
  /** A hedged council's expert whose backup answered first: the backup's name. */
  hedgedBy: z.string().optional(),
});

/** A message of a council (an expert's, or a person's with `sender: "human"`). */
export const messageJson = z.object({
  ...storedMessageFields,
  timestamp: isoTime,
  /**
   * `show` with filters or `--stats`: the round it was written in (a carried message's round where it
   * was written; 0 if it came without one), the turn's phase, and whether the council carried it over.
   */
  round: z.number().int().optional(),
  phase: z.string().optional(),
  carried: z.literal(true).optional(),
  /** `show --relevant-to`: the share of its words the message holds (0 to 1). */
  relevance: z.number().optional(),
});

const countsByType = z.record(z.string(), z.number().int());

/** `show --stats` (docs/json.md "stats"): messages per participant and type, who answers whom, rounds. */
export const statsJson = z.object({
  messages: z.number().int(),
  byType: countsByType,
  byParticipant: z.record(
    z.string(),
    z.object({ name: z.string(), messages: z.number().int(), byType: countsByType, tokens: usage }),
  ),
  interactions: z.array(
    z.object({ from: z.string(), to: z.string(), type: z.string(), count: z.number().int() }),
  ),
  rounds: z.array(
    z.object({
      round: z.number().int(),
      messages: z.number().int(),
      carried: z.number().int().optional(),
      calls: z.number().int(),
      failedCalls: z.number().int(),
      tokens: usage,
      startedAt: isoTime.optional(),
      endedAt: isoTime.optional(),
      durationMs: z.number().optional(),
    }),
  ),
});

/** A person's message to a council, with the round it came after. */
export const humanMessageJson = z.object({ round: z.number().int(), message: messageJson });
export type HumanMessageJson = z.input<typeof humanMessageJson>;

/** A message for a document: its time as an ISO string whether it came as a Date or a string. */
export function messageJsonOf(
  message: Omit<z.input<typeof messageJson>, 'timestamp'> & { timestamp: Date | string },
): z.input<typeof messageJson> {
  const { timestamp } = message;
  return { ...message, timestamp: typeof timestamp === 'string' ? timestamp : timestamp.toISOString() };
}
