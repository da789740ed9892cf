import { z } from 'zod';
import priceTable from './priceTable.json';

/**
 * A model's price in USD per million tokens. `cachedInputPerMTok` is what a prompt-cache hit costs
 * where the provider bills it differently; council's usage does not yet tell cached tokens apart, so
 * budgets bill every input token at `inputPerMTok` (never less than the provider bills).
 */
export const priceSchema = z
  .object({
    inputPerMTok: z.number().min(0).max(10_000),
    cachedInputPerMTok: z.number().min(0).max(10_000).optional(),
    outputPerMTok: z.number().min(0).max(10_000),
  })
  .strict();
export type Price = z.infer<typeof priceSchema>;

/** When {@link PRICE_TABLE} was last checked, and where. Prices move: override them in config. */
export const PRICE_TABLE_DATE = '2026-12-02';
export const PRICE_TABLE_SOURCES = {
  openai: 'https://platform.openai.com/docs/pricing',
  anthropic: 'https://platform.claude.com/docs/en/about-claude/pricing',
} as const;

/**
 * Standard (not batch, not priority) prices of well-known models, by provider and exact model id.
 * Only ids whose price was checked are listed: an OpenAI dated snapshot can cost other than its alias
 * (gpt-4o-2024-05-13 did), so ids are never matched by prefix. Anthropic prices are those of prompts
 * within the standard 200K context (council sends no long-context beta header). The rows are data, in
 * common/priceTable.json; test/budget/ledger.test.ts checks each against {@link priceSchema}.
 */
export const PRICE_TABLE: Readonly<Record<'openai' | 'anthropic', Readonly<Record<string, Price>>>> =
  priceTable;

/** What {@link priceOf} needs of a model spec: a config's `price` wins over the table. */
export interface PricedModel {
  provider: string;
  model: string;
  price?: Price;
}

/** The price of a model: its config's `price`, else the table's, else undefined (unknown). */
export function priceOf(spec: PricedModel): Price | undefined {
  if (spec.price) return spec.price;
  if (spec.provider !== 'openai' && spec.provider !== 'anthropic') return undefined;
  const table = PRICE_TABLE[spec.provider];
  return Object.prototype.hasOwnProperty.call(table, spec.model) ? table[spec.model] : undefined;
}

/** USD of `tokens` at `perMTok` dollars per million tokens: a free model costs nothing, however many. */
export function usdOf(tokens: number, perMTok: number): number {
  return perMTok === 0 ? 0 : (tokens * perMTok) / 1_000_000;
}
