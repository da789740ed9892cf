import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { parseJsonAs } from '../../common/validation';
import { readBody } from '../../storage/httpBody';

/**
 * Headers on every answer. The page runs only the script file it is served with (no inline script,
 * no eval), talks only to this server, and may not be framed: model output the page shows can never
 * become code, even if a bug let it reach the DOM as markup.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};

/** The header a POST must carry the page's token in: a custom header also forces a CORS preflight. */
export const TOKEN_HEADER = 'x-council-token';

/** A fresh secret per process, handed to the page in a meta tag and required on every POST. */
export function newToken(): string {
  return randomBytes(24).toString('hex');
}

/**
 * Only requests naming this server by its loopback name pass: a DNS-rebinding page reaches the port
 * under its own host name, which is refused before anything is read or done.
 */
export function hostAllowed(request: IncomingMessage, port: number): boolean {
  const host = request.headers.host;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/**
 * A state-changing request must carry the token, and, when the browser says where it comes from,
 * come from this server's own origin. Another site can neither read the token nor set the header.
 * Why a request is refused, for its 403; undefined when it passes.
 */
export function postRefusal(request: IncomingMessage, token: string): string | undefined {
  const given = request.headers[TOKEN_HEADER];
  if (typeof given !== 'string' || !sameSecret(given, token)) {
    return 'missing or wrong token: council ui makes a new one each time it starts, so reload the page';
  }
  return foreignRefusal(request);
}

/**
 * The API serves the page council ui serves (and processes on this machine), not other sites' pages,
 * which can reach a loopback port too: a request the browser says comes from another site
 * (`Sec-Fetch-Site`) or another origin is refused before it reads a run or takes one of the token
 * streams' places. Pages themselves open from a link anywhere. Why it is refused; undefined if not.
 */
export function foreignRefusal(request: IncomingMessage): string | undefined {
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') {
    return `refused a request from another site (Sec-Fetch-Site: ${site}): use the page council ui serves`;
  }
  const origin = request.headers.origin;
  if (origin === undefined || origin === `http://${request.headers.host ?? ''}`) return undefined;
  return `refused a request from another origin (${origin}): use the page council ui serves`;
}

/** Compares a secret in constant time. */
export function sameSecret(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Sends a JSON answer with the security headers. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

/** A body declared longer than this many times the bound is not drained: its connection is cut. */
const MAX_DRAIN_FACTOR = 8;

/** The request's JSON body as `schema` reads it; undefined once a 415, 413 (`tooLong`) or 400 is sent. */
export async function readJsonAs<T>(
  request: IncomingMessage,
  response: ServerResponse,
  schema: z.ZodType<T>,
  maxBytes: number,
  tooLong: string,
): Promise<T | undefined> {
  if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
    sendJson(response, 415, { error: 'send JSON' });
    return undefined;
  }
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    // Refused before reading. The body is drained unread (its declared length, if not absurd): a
    // connection closed on unread bytes resets, and the client would never read this answer.
    response.setHeader('Connection', 'close');
    sendJson(response, 413, { error: tooLong });
    if (declared <= MAX_DRAIN_FACTOR * maxBytes) request.resume();
    else request.destroy();
    return undefined;
  }
  const body = await readBody(request, maxBytes);
  if (body === undefined) {
    sendJson(response, 413, { error: tooLong });
    return undefined;
  }
  const parsed = parseJsonAs(schema, body);
  if (parsed.success) return parsed.data;
  sendJson(response, 400, { error: parsed.notJson ? 'the body is not JSON' : parsed.problem });
  return undefined;
}
