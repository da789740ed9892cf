import type { ParticipantResponse } from '../../common/session';
import type { CallPurpose } from './types';

/**
 * Patch id of the role requests below. They change no command of a round by themselves, but a
 * budget reserves each call's worst case from its prompt, so a longer prompt could turn a call that
 * was admitted into one refused or held: a session with a budget asks this as its run starts, and
 * one recorded before it replays with the prompts it had. Sessions without a budget take them at once.
 */
export const ROLE_REQUESTS_PATCH = 'role-requests';

/**
 * What a role's call is asked besides the round's message, by its phase (see `phaseOf` in roles.ts):
 * without it a model reads its role only from its system prompt. A strategy's own calls (a
 * moderator's synthesis, a supervisor's assignment) carry their own request instead.
 */
const ROLE_REQUESTS: Readonly<Record<string, string>> = {
  evaluate:
    'As an evaluator, assess the responses below to the message above: for each, what holds up, what ' +
    'is wrong or missing, and how it could be better; then say which answers the message best and why. ' +
    'Do not answer the message yourself.',
  moderate:
    'As the moderator, frame the message above for the panel, who answer after you: what a good ' +
    'answer must cover, what to watch for, and your own view in brief.',
  supervise:
    "As the supervisor, synthesize the workers' output below into one answer to the message above: " +
    'combine their results, settle where they conflict, and say which work is missing or failed.',
};

/**
 * The request of a plain call in `phase`, when its role has one and it fits what the call is shown:
 * an evaluator shown no response (all failed, or it speaks first under `custom`) and a moderator
 * with no panel after it (`panelFollows` false) answer the message itself.
 */
export function roleRequest(
  phase: string,
  shown: readonly ParticipantResponse[],
  panelFollows: boolean,
): CallPurpose | undefined {
  if (phase === 'evaluate' && shown.length === 0) return undefined;
  if (phase === 'moderate' && !panelFollows) return undefined;
  const request = ROLE_REQUESTS[phase];
  return request === undefined ? undefined : { ask: (message) => `${message}\n\n${request}` };
}
