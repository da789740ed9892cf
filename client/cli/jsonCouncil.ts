import { z } from 'zod';
import { stanceSchema } from '../../common/convergence';
import { answerJson, humanMessageJson, messageJson, statsJson } from './jsonAnswers';
import { budgetJson, envelope, messageWebhookJson, outcome, usage, workflowStatus } from './jsonParts';

// The documents about a council: its result (`run`, `council attach`) and `council show`.

/** How a debate with `convergence` ended (README "Debates that stop when they converge"). */
const convergenceJson = z.object({
  stopReason: z.enum(['consensus', 'oscillation', 'round-cap']),
  debateRounds: z.number().int(),
  roundsSkipped: z.number().int(),
  agreement: z.number(),
  position: z.string().optional(),
  /** An estimate: tokens per debate round so far times the rounds skipped. */
  tokensSaved: z.number(),
  stances: z.record(z.string(), stanceSchema.nullable()),
});

/** One turn of an expert: what it was shown (ids of `messages`) and what it said. */
const shownTurnJson = z.object({
  round: z.number().int(),
  phase: z.enum(['answer', 'critique', 'review']),
  shownMessageIds: z.array(z.string()),
  answerId: z.string().optional(),
  idsLeftOut: z.number().int().optional(),
});

/** What an expert was shown: its latest turn's round and the positions it saw, then every turn. */
const conversationContextJson = z.object({
  round: z.number().int(),
  previousResponses: z.record(z.string(), z.string()),
  turns: z.array(shownTurnJson),
});

/** `run` and `council attach` of a council: the experts' answers, the synthesis, the messages. */
export const councilResultJson = z.object({
  ...envelope('council-result'),
  id: z.string(),
  kind: z.literal('council'),
  mode: z.string(),
  task: z.string(),
  simulated: z.boolean(),
  status: outcome,
  exitCode: z.number().int(),
  rounds: z.number().int(),
  responses: z.array(answerJson),
  synthesis: answerJson,
  usage,
  elapsedMs: z.number(),
  /** Every message of the council, when it ran with messaging on. */
  messages: z.array(messageJson).optional(),
  /** What each expert was shown, by expert id, when it ran with messaging on. */
  conversationContext: z.record(z.string(), conversationContextJson).optional(),
  humanMessages: z.array(humanMessageJson),
  convergence: convergenceJson.optional(),
  /** `run --from FILE` or `--from-run ID`: the council whose conversation this one went on from. */
  continuedFrom: z.string().optional(),
  /** A council with a budget: what it spent, its limit, the calls it refused. */
  budget: budgetJson.optional(),
  /** A council with a message webhook: how many messages it delivered, which it could not. */
  messageWebhook: messageWebhookJson.optional(),
});

/** `council show` of a council: its result once completed, where it is while running. */
export const councilShowJson = z.object({
  ...envelope('council-show'),
  id: z.string(),
  kind: z.literal('council'),
  workflowStatus,
  councilStatus: z.string().optional(),
  mode: z.string().optional(),
  task: z.string().optional(),
  rounds: z.number().int().optional(),
  responses: z.array(answerJson).optional(),
  synthesis: answerJson.optional(),
  usage: usage.optional(),
  messages: z.array(messageJson).optional(),
  conversationContext: z.record(z.string(), conversationContextJson).optional(),
  humanMessages: z.array(humanMessageJson).optional(),
  convergence: convergenceJson.optional(),
  /** A running council: each expert's inbox, the ids of the messages waiting for its next turn. */
  inboxes: z.record(z.string(), z.array(z.string())).optional(),
  /** A council that went on from an earlier conversation: the council it came from. */
  continuedFrom: z.string().optional(),
  /** With filter flags, `--stats` or `--save`: the filter applied (empty: none). */
  filter: z
    .object({
      types: z.array(z.string()).optional(),
      from: z.array(z.string()).optional(),
      to: z.array(z.string()).optional(),
      rounds: z.array(z.number().int()).optional(),
    })
    .optional(),
  stats: statsJson.optional(),
  /** `--save FILE`: the file the conversation was written to. */
  savedTo: z.string().optional(),
  /** A completed council with a budget: what it spent, its limit, the calls it refused. */
  budget: budgetJson.optional(),
  /** A completed council with a message webhook: as in `council-result`. */
  messageWebhook: messageWebhookJson.optional(),
});
