/**
 * A provider answered with a redirect, which council does not follow: the worker's policy decides
 * which origin each key (and each prompt) may go to, and a redirect would carry the request, with its
 * key header and its prompt, to a host the policy never allowed.
 */
export class RedirectRefusedError extends Error {
  override readonly name = 'RedirectRefusedError';

  constructor(
    readonly status: number,
    readonly from: string,
    readonly to: string,
  ) {
    super(
      `the provider at ${from} redirected the call to ${to} (HTTP ${status}); council does not follow ` +
        "redirects, so a key and a prompt go only where the worker's policy allows: set the " +
        "participant's baseURL to the address it redirects to (and allow its origin in COUNCIL_PROVIDER_POLICY if it is another)",
    );
  }
}

/**
 * The platform's fetch for every provider SDK, with redirects refused: a 3xx answer becomes a
 * {@link RedirectRefusedError} (the SDKs pass it on as the cause of their connection error).
 */
export const fetchWithoutRedirects: typeof fetch = async (input, init) => {
  const response = await fetch(input, { ...init, redirect: 'manual' });
  if (response.status < 300 || response.status > 399) return response;
  // A Request may come from another realm (a test runner's VM): read its url by shape.
  const url = new URL(typeof input === 'object' && 'url' in input ? input.url : String(input));
  const location = response.headers.get('location');
  await response.body?.cancel();
  throw new RedirectRefusedError(response.status, url.origin, targetOf(location, url));
};

/** Where a redirect points, without its query (which may carry a token): the path says what to fix. */
function targetOf(location: string | null, from: URL): string {
  if (location === null) return '(no Location header)';
  if (!URL.canParse(location, from.href)) return '(an unreadable Location header)';
  const target = new URL(location, from);
  return `${target.origin}${target.pathname}`;
}

/** The redirect refusal an SDK wrapped, found along the error's causes. */
export function redirectRefusalOf(error: unknown): RedirectRefusedError | undefined {
  let current: unknown = error;
  for (let depth = 0; typeof current === 'object' && current !== null && depth < 5; depth += 1) {
    if (current instanceof RedirectRefusedError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
