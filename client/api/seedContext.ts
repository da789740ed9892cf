import type { ExpertInput } from '../../common/council';
import { ALL_PROVIDER_FACTS } from '../../common/providers';
import { CouncilUserError } from '../../common/userError';
import { shownValue } from '../../common/printable';

/**
 * The fields the council seed's `ExecutionContext` and `Expert` carry that never reach the workflow.
 * A workflow's input is kept in its history (readable in the Web UI, in `temporal workflow show`, in
 * every replay): a key, a function or a client-side snapshot has no place there.
 */
export interface SeedOnlyContextFields {
  /**
   * Not accepted: an API key in the context would be stored in the workflow's history. The worker
   * reads keys from its environment (see {@link checkSeedContext}'s message).
   */
  apiKey?: never;
}

/** The seed's `Expert` fields that stay in the caller's process. */
export interface SeedOnlyExpertFields<Message, Context> {
  /** Called for every message routed to this expert, while a client follows the council. */
  messageHandler?: (message: Message) => void;
  /**
   * Accepted and ignored: the seed fills it in as a run goes. Each run records what every expert
   * was shown at each of its turns (the result's `conversationContext`), so an expert taken from an
   * earlier result starts afresh instead of carrying that run's history into this one's prompts.
   * To go on from an earlier council's conversation, pass `continueFrom` (client/api/conversation.ts).
   */
  conversationContext?: Context;
}

/** Which environment variables a worker reads each provider's key from, e.g. "openai: OPENAI_API_KEY". */
function keyVariables(): string {
  return ALL_PROVIDER_FACTS.filter((provider) => provider.env.apiKeyEnv.length > 0)
    .map((provider) => `${provider.name}: ${provider.env.apiKeyEnv.join(' or ')}`)
    .join('; ');
}

/**
 * Throws a user error for a context that is no object with a list of experts (from plain
 * JavaScript, say: the code that reads the experts' client-side fields runs before the schema
 * speaks), and, naming what to do instead, for one that carries the seed's `apiKey`.
 */
export function checkSeedContext(context: unknown): void {
  const experts: unknown =
    typeof context === 'object' && context !== null && 'activeExperts' in context
      ? context.activeExperts
      : undefined;
  if (!Array.isArray(experts) || experts.some((expert) => typeof expert !== 'object' || expert === null)) {
    throw new CouncilUserError(
      'invalid council context: it must be an object whose activeExperts is a list of experts',
      'pass { task, mode, activeExperts: [{ id, name, model }, …], synthesisConfig: { model } }',
    );
  }
  if (!('apiKey' in (context as object))) return;
  throw new CouncilUserError(
    "apiKey is not accepted in the council context: keys never go into a workflow's history",
    `remove apiKey and set the key in the environment of the worker that serves the council ` +
      `(the process that calls Council.local(), or \`council worker\`): ${keyVariables()}; ` +
      `a participant on another endpoint names its key's variable with model.apiKeyEnv`,
  );
}

/**
 * Refuses a callback that is no function, before a council starts: it failed with a TypeError at the
 * first update, once the council ran, which then went on with no one following it.
 */
export function checkCallbacks(callbacks: Record<string, unknown>): void {
  for (const [name, callback] of Object.entries(callbacks)) {
    if (callback === undefined || typeof callback === 'function') continue;
    throw new CouncilUserError(
      `${name} must be a function, and is ${shownValue(callback)}`,
      `pass a function, or leave ${name} out`,
    );
  }
}

/** Shortest and longest wait between two reads of a council's progress log. */
const POLL_INTERVAL_MS = { min: 10, max: 60_000 } as const;

/**
 * Refuses a poll interval a caller without a type check may pass: 0, a negative number or a string
 * read the log in a busy loop (the client's CPU and the server's), a long one left a follower behind.
 */
export function checkPollInterval(pollIntervalMs: unknown): void {
  if (pollIntervalMs === undefined) return;
  const { min, max } = POLL_INTERVAL_MS;
  if (typeof pollIntervalMs === 'number' && pollIntervalMs >= min && pollIntervalMs <= max) return;
  throw new CouncilUserError(
    `pollIntervalMs must be a number of ms from ${min} to ${max}, and is ${shownValue(pollIntervalMs)}`,
    'leave it out for the default (200 ms)',
  );
}

/** An expert as the workflow takes it: the seed's client-side fields left out. */
export function workflowExpert<Message, Context>({
  messageHandler: _handler,
  conversationContext: _context,
  ...spec
}: ExpertInput & SeedOnlyExpertFields<Message, Context>): ExpertInput {
  return spec;
}
