import { modelSpecSchema, PROVIDERS, type ModelSpec } from '../../common/providers';
import { printable } from '../../common/printable';
import { CouncilUserError } from '../../common/userError';
import { zodProblem } from '../../common/validation';
import { priceOf, type PricedModel } from '../../common/prices';

/** `provider:model`, split at the first colon: model ids may hold colons (Ollama's `llama3:8b`). */
export function modelOfFlag(flag: string, baseURL: string | undefined): ModelSpec {
  const colon = flag.indexOf(':');
  const provider = colon > 0 ? flag.slice(0, colon) : '';
  if (!(PROVIDERS as readonly string[]).includes(provider)) {
    throw new CouncilUserError(
      `--model "${printable(flag)}" names no provider council knows`,
      `write it as provider:model, the provider one of ${PROVIDERS.join(', ')}; e.g. openai:gpt-4o-mini`,
    );
  }
  // Checked here, before a server or worker starts for the session: an empty model or a missing baseURL.
  const parsed = modelSpecSchema.safeParse({
    provider,
    model: flag.slice(colon + 1),
    ...(baseURL !== undefined && { baseURL }),
  });
  if (parsed.success) return parsed.data;
  throw new CouncilUserError(
    `--model "${printable(flag)}": ${zodProblem(parsed.error)}`,
    'fix the model or --base-url',
  );
}

/** A priority flag as a number: commander hands over text, and "high" must not reach the session as NaN. */
export function priorityOf(flag: string | undefined): number | undefined {
  if (flag === undefined) return undefined;
  const priority = Number(flag);
  if (flag.trim() === '' || !Number.isInteger(priority)) {
    throw new CouncilUserError(`--priority "${printable(flag)}" is no whole number`, 'e.g. --priority 2');
  }
  return priority;
}

/** A flag that takes a whole number above 0, e.g. `--max-output-tokens 1024`. */
export function countOf(flag: string | undefined, name: string): number | undefined {
  if (flag === undefined) return undefined;
  const count = Number(flag);
  if (flag.trim() === '' || !Number.isInteger(count) || count < 1) {
    throw new CouncilUserError(
      `--${name} "${printable(flag)}" is no whole number above 0`,
      `e.g. --${name} 1024`,
    );
  }
  return count;
}

/** `--price IN,OUT`: dollars per million input and output tokens, for a model the price table lacks. */
export function priceFlagOf(
  flag: string | undefined,
): { inputPerMTok: number; outputPerMTok: number } | undefined {
  if (flag === undefined) return undefined;
  const [input, output, ...rest] = flag.split(',').map((part) => part.trim());
  const [inputPerMTok, outputPerMTok] = [Number(input), Number(output)];
  const valid = (text: string | undefined, value: number) =>
    text !== '' && Number.isFinite(value) && value >= 0;
  if (rest.length > 0 || !valid(input, inputPerMTok) || !valid(output, outputPerMTok)) {
    throw new CouncilUserError(
      `--price "${printable(flag)}" is not two amounts in dollars per million tokens, input then output`,
      'e.g. --price 0.15,0.6',
    );
  }
  return { inputPerMTok, outputPerMTok };
}

/**
 * A participant joining a session under a budget needs a bound on each call, and under a money
 * budget a price: refused here in the flags' words (the session's own check names config keys).
 */
export function refuseUnbudgeted(
  limit: { maxCostUsd?: number | undefined } | undefined,
  name: string,
  joining: { maxOutputTokens?: number; model: PricedModel },
): void {
  if (!limit) return;
  if (joining.maxOutputTokens === undefined) {
    throw new CouncilUserError(
      `${printable(name)} has no --max-output-tokens: this session's budget bounds each call by it`,
      'e.g. --max-output-tokens 1024',
    );
  }
  if (limit.maxCostUsd !== undefined && !priceOf(joining.model)) {
    throw new CouncilUserError(
      `${printable(name)}'s model has no listed price, and this session's budget is in dollars`,
      'give it one: --price INPUT,OUTPUT in dollars per million tokens, e.g. --price 0.15,0.6',
    );
  }
}
