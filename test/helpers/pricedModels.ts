// Prices that make a budget's arithmetic readable: input is free, so a call's worst case depends on
// its maxOutputTokens only. Shared by the budget tests and the budget histories they replay.

/** $1000 per million output tokens: a call's worst case is maxOutputTokens/1000 dollars. */
export const DOLLAR_PER_THOUSAND_OUTPUT = { inputPerMTok: 0, outputPerMTok: 1000 } as const;

/** gpt-4o-mini at {@link DOLLAR_PER_THOUSAND_OUTPUT}. */
export const pricedMini = {
  provider: 'openai',
  model: 'gpt-4o-mini',
  price: DOLLAR_PER_THOUSAND_OUTPUT,
} as const;

/** The model a downgrade leaves: a 1000-token call's worst case is $1. */
export const dearModel = { provider: 'openai', model: 'gpt-4o', price: DOLLAR_PER_THOUSAND_OUTPUT } as const;

/** The model a downgrade goes to: a tenth of {@link dearModel}'s price. */
export const cheapModel = {
  provider: 'openai',
  model: 'gpt-4o-mini',
  price: { inputPerMTok: 0, outputPerMTok: 100 },
} as const;
