import { z } from 'zod';
import { envelope } from './jsonParts';

/** A tokens-and-dollars bound; null where it has none (a model without maxOutputTokens). */
const boundJson = z.object({ tokens: z.number().nullable(), usd: z.number().nullable() });

/** `estimate --json`: the worst case of a config's round (a session) or whole run (a council). */
export const estimateJson = z.object({
  ...envelope('estimate'),
  scope: z.literal('council').optional(),
  rows: z.array(
    z.object({
      name: z.string(),
      model: z.string(),
      calls: z.number().int(),
      /** Attempts its retry allows each call: `worst` counts every one. */
      attempts: z.number().int(),
      worst: boundJson,
      /** A session's: each prompt at `maxTokens`, no bound. */
      withinContext: boundJson.optional(),
      priced: z.boolean(),
    }),
  ),
  total: boundJson,
  /** A session's round with each prompt at `contextTokens` (its `maxTokens`): no bound. */
  withinContext: boundJson.optional(),
  contextTokens: z.number().int().optional(),
  /** True when every model has a price, so `total.usd` is a bound. */
  priced: z.boolean(),
  /** The config's own budget, as written. */
  budget: z.record(z.string(), z.unknown()).optional(),
});
