import type { IncomingMessage, ServerResponse } from 'node:http';
import { SECURITY_HEADERS, sameSecret, sendJson } from './guard';

/** The cookie that lets a browser in: the access key, set by the link `council ui` prints. */
export const ACCESS_COOKIE = 'council_ui';

/** The query parameter of that link: the key, given once in exchange for the cookie. */
export const KEY_PARAMETER = 'key';

/**
 * The page's link with its key. Only the person who started `council ui` sees it (in its terminal),
 * so another user of the machine cannot read or start runs through the page's server.
 */
export function keyLink(baseUrl: string, token: string): string {
  return `${baseUrl}?${KEY_PARAMETER}=${token}`;
}

/**
 * Lets a request in when it carries the access cookie; trades the link's key for that cookie; or
 * refuses it with 401, saying which link to open. True when the request may go on.
 */
export function admitted(request: IncomingMessage, response: ServerResponse, url: URL, key: string): boolean {
  const given = url.searchParams.get(KEY_PARAMETER);
  if (given !== null) {
    if (!sameSecret(given, key)) {
      refuse(response, url, 'the key of this link is not the one of the council ui serving it');
      return false;
    }
    // The key leaves the address bar, and the browser keeps the cookie for the requests after.
    url.searchParams.delete(KEY_PARAMETER);
    response.writeHead(303, {
      ...SECURITY_HEADERS,
      Location: `${url.pathname}${url.search}`,
      'Set-Cookie': accessCookie(key),
    });
    response.end();
    return false;
  }
  if (hasAccess(request, key)) return true;
  refuse(response, url, 'this page needs the key of the council ui serving it');
  return false;
}

/** True when the request carries the access cookie with the key. */
function hasAccess(request: IncomingMessage, key: string): boolean {
  // Node's limit on a request's headers (16 KiB) bounds the cookies read.
  return (request.headers.cookie ?? '').split(';').some((cookie) => {
    const [name, ...value] = cookie.trim().split('=');
    return name === ACCESS_COOKIE && sameSecret(value.join('='), key);
  });
}

/**
 * HttpOnly: the page's script never reads it. SameSite=Strict: another site's page cannot send it.
 * A browser sends a cookie to every port of its host: another local server this browser opens
 * would see it (docs/ui.md says so).
 */
function accessCookie(key: string): string {
  return `${ACCESS_COOKIE}=${key}; HttpOnly; SameSite=Strict; Path=/`;
}

const HOW_TO_ENTER = 'open the link council ui printed when it started (it holds the key)';

function refuse(response: ServerResponse, url: URL, why: string): void {
  if (url.pathname.startsWith('/api/')) return sendJson(response, 401, { error: `${why}: ${HOW_TO_ENTER}` });
  response.writeHead(401, { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8' });
  // Fixed text: nothing from the request is echoed.
  response.end(
    '<!doctype html><html lang="en"><head><meta charset="utf-8" /><title>Key needed · council</title>' +
      '<link rel="stylesheet" href="/static/style.css" /></head><body><header>council</header>' +
      `<main><p>${why}: ${HOW_TO_ENTER}.</p></main></body></html>`,
  );
}
