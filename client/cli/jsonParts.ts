import { z } from 'zod';

/**
 * The parts every `--json` document shape (client/cli/jsonOutput.ts) is built from: the envelope,
 * times, token usage, statuses, and a run's budget. Kept apart so the shapes file stays readable.
 */
export const JSON_SCHEMA_VERSION = 1;

/** An instant: ISO 8601 in UTC, e.g. 2026-12-02T16:40:05.123Z. */
export const isoTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'an ISO 8601 UTC time');

export const usage = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  totalTokens: z.number(),
});
export const failure = z.object({ type: z.string(), message: z.string() });
export const outcome = z.enum(['ok', 'partial', 'failed']);
export const workflowStatus = z.enum([
  'running',
  'completed',
  'failed',
  'cancelled',
  'terminated',
  'continued_as_new',
  'timed_out',
  'paused',
  'unspecified',
  'unknown',
]);

/** The fields every document starts with. */
export const envelope = <T extends string>(type: T) => ({
  schemaVersion: z.literal(JSON_SCHEMA_VERSION),
  type: z.literal(type),
});

/** Tokens and dollars together, as a budget counts them (common/budget.ts `Amount`). */
const amountJson = z.object({ tokens: z.number(), usd: z.number() });

/** A call the budget refused before it was sent. */
const budgetedCallJson = z.object({
  round: z.number().int(),
  phase: z.string(),
  participant: z.string(),
  needed: amountJson,
});

/**
 * A run's budget (docs/json.md): its limit, what was spent and what calls in flight hold, the calls
 * it refused, and under `onExhausted: ask` the call waiting for a person (until when) and why the
 * budget stopped. The shape of common/budget.ts `BudgetView`.
 */
export const budgetJson = z.object({
  limit: z.object({ maxTokens: z.number().optional(), maxCostUsd: z.number().optional() }),
  spent: amountJson,
  reserved: amountJson,
  exhausted: z.boolean(),
  refused: z.array(budgetedCallJson),
  refusedCount: z.number().int(),
  downgraded: z.boolean().optional(),
  waiting: budgetedCallJson.extend({ until: isoTime }).optional(),
  stopped: z.enum(['person', 'timeout']).optional(),
});

/** How a council's messages reached its `messageWebhook` (README "Message webhook"). */
export const messageWebhookJson = z.object({
  delivered: z.number().int(),
  failed: z.number().int(),
  /** The first failures (at most 50): the message, and the last attempt's error. */
  failures: z.array(z.object({ messageId: z.string(), error: z.string() })),
});

/** The document of a `--json` command that ended in an error: the line it wrote to stderr, and its exit code. */
export const errorJson = z.object({ ...envelope('error'), message: z.string(), exitCode: z.number().int() });
