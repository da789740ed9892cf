import type { IncomingMessage } from 'node:http';
import { sameSecret } from './guard';

/** The header the page sends the access key in, with every API request. */
export const KEY_HEADER = 'x-council-key';

/**
 * The query parameter that may carry it instead, on any API request: the page's EventSource, which
 * sends no header of its own, uses it.
 */
export const KEY_PARAMETER = 'key';

/**
 * The page's link with its key, in the fragment: a browser sends no fragment with a request, and the
 * page keeps it in its own origin's storage (client/ui/static/key.js). Only the person who started
 * `council ui` sees the link (its terminal), so another user of the machine cannot read or start
 * runs through the page's server.
 */
export function keyLink(baseUrl: string, key: string): string {
  return `${baseUrl}#${KEY_PARAMETER}=${key}`;
}

/** Why an API request without the access key is refused (its 401); undefined when it has the key. */
export function keyRefusal(request: IncomingMessage, url: URL, key: string): string | undefined {
  const header = request.headers[KEY_HEADER];
  const given = typeof header === 'string' ? header : url.searchParams.get(KEY_PARAMETER);
  if (given === null || given === '') return `this request has no key: ${OPEN_THE_LINK}`;
  return sameSecret(given, key) ? undefined : `this key is not the one of this council ui: ${OPEN_THE_LINK}`;
}

const OPEN_THE_LINK = 'open the link council ui printed when it started (it holds the key)';
