import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CouncilUserError } from '../../common/userError';
import { zodProblem } from '../../common/validation';
import { KEY_PARAMETER, keyLink, keyRefusal } from './access';
import { foreignRefusal, hostAllowed, newToken, postRefusal, SECURITY_HEADERS, sendJson } from './guard';
import { STATUS_NAMES, STRATEGY_NAMES } from '../api/runRow';
import { listFilterSchema, listRuns } from './runs';
import { runView } from './runView';
import { cancelFromPage, sendFromPage, skipFromPage, type UiDeps } from './send';
import { START_CHOICES, startFromPage } from './startRun';
import { streamTokens } from './tokenStream';
import { isRunId } from '../api/runIdRule';

/** Options of {@link startUiServer}. */
export interface UiServerOptions extends UiDeps {
  /** 0 picks a free port. */
  port: number;
  /** The access key of the API (`keptUiKey`); a fresh one when omitted. */
  key?: string;
}

/** A running `council ui` server. */
export interface UiServer {
  url: string;
  /** {@link url} with the access key: for the person who started the server only. */
  link: string;
  port: number;
  /** The access key every API request carries. */
  key: string;
  /** The page's token for POSTs, new each start. */
  token: string;
  /** Token streams open now (a page following a live run holds one). */
  openStreams(): number;
  close(): Promise<void>;
}

/** Built next to this file: `npm run build` copies the folder into dist. */
const STATIC_DIR = path.join(__dirname, 'static');
/** The only files served, by URL: nothing else in the folder, and no path from the request. */
const STATIC_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/static/key.js': { file: 'key.js', type: 'text/javascript; charset=utf-8' },
  '/static/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/static/markdown.js': { file: 'markdown.js', type: 'text/javascript; charset=utf-8' },
  '/static/live.js': { file: 'live.js', type: 'text/javascript; charset=utf-8' },
  '/static/runParts.js': { file: 'runParts.js', type: 'text/javascript; charset=utf-8' },
  '/static/announce.js': { file: 'announce.js', type: 'text/javascript; charset=utf-8' },
  '/static/run.js': { file: 'run.js', type: 'text/javascript; charset=utf-8' },
  '/static/newRun.js': { file: 'newRun.js', type: 'text/javascript; charset=utf-8' },
  '/static/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};
// A path segment holds a run id percent-encoded: at most three characters for each of its bytes.
const RUN_API = /^\/api\/runs\/([^/]{1,3000})$/;
const SEND_API = /^\/api\/runs\/([^/]{1,3000})\/messages$/;
const CANCEL_API = /^\/api\/runs\/([^/]{1,3000})\/cancel$/;
const SKIP_API = /^\/api\/runs\/([^/]{1,3000})\/skip$/;
const TOKENS_API = /^\/api\/runs\/([^/]{1,3000})\/tokens$/;
const RUN_PAGE = /^\/runs\/([^/]{1,3000})$/;

/** The run id of a path segment, percent-decoded (the page encodes `:`), or undefined. */
function runIdOf(segment: string | undefined): string | undefined {
  if (segment === undefined) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(segment);
  } catch {
    return undefined; // A malformed escape names no run.
  }
  return isRunId(id) ? id : undefined;
}

/** Starts the web view on 127.0.0.1 only: it reads and acts with the CLI's own Temporal client. */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const token = newToken();
  const key = options.key ?? newToken();
  let port = options.port;
  /** The token streams open, each by how it ends: closing the server ends them all. */
  const streams = new Set<() => Promise<void>>();
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const status = error instanceof CouncilUserError ? 404 : 500;
      const message = error instanceof CouncilUserError ? error.toOneLine() : String(error);
      if (!response.headersSent) sendJson(response, status, { error: message.split('\n')[0] });
      else response.end();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!hostAllowed(request, port)) return sendJson(response, 421, { error: 'unknown host' });
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    const sendTo = runIdOf(SEND_API.exec(url.pathname)?.[1]);
    const cancel = runIdOf(CANCEL_API.exec(url.pathname)?.[1]);
    const skip = runIdOf(SKIP_API.exec(url.pathname)?.[1]);
    const start = url.pathname === '/api/runs';
    const api = url.pathname.startsWith('/api/');
    const foreign = api ? foreignRefusal(request) : undefined;
    if (foreign) return sendJson(response, 403, { error: foreign });
    // Pages and their code are the same for everyone: what they show of runs comes from the API.
    const keyless = api ? keyRefusal(request, url, key) : undefined;
    if (keyless) return sendJson(response, 401, { error: keyless });
    // Taken: no filter or route reads it.
    url.searchParams.delete(KEY_PARAMETER);
    if (request.method === 'POST' && (sendTo || cancel || skip || start)) {
      const refusal = postRefusal(request, token);
      if (refusal) return sendJson(response, 403, { error: refusal });
      if (start) return startFromPage(options, request, response);
      if (cancel) return cancelFromPage(options, cancel, response);
      if (skip) return skipFromPage(options, skip, request, response);
      if (sendTo) return sendFromPage(options, sendTo, request, response);
    }
    if (request.method !== 'GET') return sendJson(response, 405, { error: 'method not allowed' });
    // Browsers ask for it on every page: none, rather than a 404 in the console each time.
    if (url.pathname === '/favicon.ico') return sendNoContent(response);
    const asset = STATIC_FILES[url.pathname];
    if (asset) return sendFile(response, asset.file, asset.type);
    // A run's page only for an id a run could have: the page reads the id from its own path.
    if (url.pathname === '/' || runIdOf(RUN_PAGE.exec(url.pathname)?.[1])) return sendPage(response, token);
    if (url.pathname === '/api/runs') {
      const filter = listFilterSchema.safeParse(Object.fromEntries(url.searchParams));
      if (!filter.success) {
        return sendJson(response, 400, { error: `bad filter: ${zodProblem(filter.error)}` });
      }
      const runs = await listRuns(options.client, filter.data);
      const lists = { strategies: STRATEGY_NAMES, statuses: STATUS_NAMES };
      return sendJson(response, 200, { runs, ...lists, start: START_CHOICES });
    }
    const tokensOf = runIdOf(TOKENS_API.exec(url.pathname)?.[1]);
    if (tokensOf) return streamTokens(options, tokensOf, response, streams);
    const run = runIdOf(RUN_API.exec(url.pathname)?.[1]);
    if (run) return sendJson(response, 200, await runView(options.client, run, options.serve));
    if (url.pathname.startsWith('/api/')) return sendJson(response, 404, { error: 'not found' });
    sendNotFoundPage(response);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    link: keyLink(`http://127.0.0.1:${port}/`, key),
    port,
    key,
    token,
    openStreams: () => streams.size,
    close: async () => {
      await Promise.all([...streams].map((finish) => finish()));
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

async function sendFile(response: ServerResponse, file: string, type: string): Promise<void> {
  const body = await readFile(path.join(STATIC_DIR, file));
  response.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': type });
  response.end(body);
}

function sendNoContent(response: ServerResponse): void {
  response.writeHead(204, SECURITY_HEADERS);
  response.end();
}

/** What a browser shows for a path that is none of the UI's pages: a way back to the list. */
function sendNotFoundPage(response: ServerResponse): void {
  response.writeHead(404, { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8' });
  response.end(NOT_FOUND_PAGE);
}

// The path is not echoed: the page says the same for every one.
const NOT_FOUND_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8" /><title>Not found · council</title>' +
  '<link rel="stylesheet" href="/static/style.css" /></head><body><header><a href="/">council</a></header>' +
  '<main><p>There is no page here. See <a href="/">the list of sessions and councils</a>.</p></main>' +
  '</body></html>';

/** The one HTML page: the token goes in a meta tag the script reads (a hex string, nothing to escape). */
async function sendPage(response: ServerResponse, token: string): Promise<void> {
  const html = (await readFile(path.join(STATIC_DIR, 'index.html'), 'utf8')).replace('__TOKEN__', token);
  response.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8' });
  response.end(html);
}
