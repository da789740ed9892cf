import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import type { LLMock } from '@copilotkit/aimock';
import { chromium, type Page } from 'playwright-core';
import { createLlmActivities } from '../../activities';
import { MultiParticipantSession } from '../../client/api/session';
import { KEY_HEADER } from '../../client/ui/access';
import { startUiServer, type UiServer } from '../../client/ui/server';
import { answerAsParticipants, mockClients, startMockLlm } from '../helpers/mockLlm';
import { startHarness, uniqueTaskQueue, type TemporalTestHarness } from '../helpers/testEnv';
import { simulatedQueue } from '../../client/runtime/commandRuntime';

/** Where browser tests keep their screenshots (gitignored). */
export const ARTIFACTS = path.resolve(__dirname, '../../artifacts/ui');

/** The mock, a harness worker on the dev server, and `council ui`'s server reading the same namespace. */
export interface UiTestBed {
  mock: LLMock;
  harness: TemporalTestHarness;
  ui: UiServer;
  logged: string[];
  close(): Promise<void>;
}

/**
 * `answers` sets the mock's fixtures first (the first that matches a request answers it); every other
 * request is answered as its participant. `simulatedQueue` puts the harness worker on a queue named as
 * council names simulated ones, so the page labels its runs SIMULATED.
 */
export async function startUiTestBed(
  label: string,
  answers?: (mock: LLMock) => void,
  options: { simulatedQueue?: boolean } = {},
): Promise<UiTestBed> {
  const mock = await startMockLlm();
  answers?.(mock);
  answerAsParticipants(mock);
  const taskQueue = options.simulatedQueue ? simulatedQueue(uniqueTaskQueue(label)) : undefined;
  const harness = await startHarness(label, createLlmActivities(mockClients(mock)), { taskQueue });
  const logged: string[] = [];
  const ui = await startUiOn(harness, 0, logged);
  return {
    mock,
    harness,
    ui,
    logged,
    async close() {
      await ui.close();
      await harness.close();
      await mock.stop();
    },
  };
}

/**
 * The base URL of the link a `council ui` process printed, and the header with its key that the page
 * sends with every API request.
 */
export function printedLink(stdout: string): { url: string; keyHeader: Record<string, string> } {
  const [, url, key] = /council ui on (http:\/\/127\.0\.0\.1:\d+\/)#key=([0-9a-f]{48}) /.exec(stdout) ?? [];
  if (url === undefined || key === undefined) throw new Error(`no link with a key in: ${stdout}`);
  return { url, keyHeader: { [KEY_HEADER]: key } };
}

/** The key of each UI server a test started, by port: {@link rawRequest} sends it. */
const accessKeys = new Map<number, string>();

/**
 * `council ui`'s server on `port` (0: a free one) for the harness's runs, as `council ui` would;
 * `key` as a restarted `council ui` reads it from its data directory.
 */
export async function startUiOn(
  harness: TemporalTestHarness,
  port: number,
  logged: string[],
  key?: string,
): Promise<UiServer> {
  // The harness's worker serves every run of this test: nothing to start per run.
  const ui = await startUiServer({
    client: harness.client,
    port,
    serve: async () => undefined,
    // Runs started from the page go to the same worker; the page's default participants say simulated.
    queueFor: async (_id, _config, defaults) => ({ taskQueue: harness.taskQueue, simulated: defaults }),
    log: (line) => logged.push(line),
    ...(key !== undefined && { key }),
  });
  accessKeys.set(ui.port, ui.key);
  return ui;
}

/** A session with no participant, started on the bed's worker and closed: its id. */
export async function closedSession(bed: UiTestBed, sessionId: string): Promise<string> {
  const session = await MultiParticipantSession.create(
    bed.harness.client,
    { strategy: 'broadcast' },
    { taskQueue: bed.harness.taskQueue, sessionId },
  );
  await session.close();
  return sessionId;
}

/**
 * A raw HTTP request, so a test can set the Host and Origin headers a browser would. It carries the
 * server's access key, as the page does, unless `withoutKey`.
 */
export function rawRequest(
  port: number,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: string;
    withoutKey?: boolean;
  },
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const key = options.withoutKey ? undefined : accessKeys.get(port);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { ...(key !== undefined && { [KEY_HEADER]: key }), ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Debian's chromium with one page, and screenshots of it kept as test artifacts. */
export interface BrowserPage {
  page: Page;
  /** Saves the whole page as artifacts/ui/NAME.png. */
  shot(name: string): Promise<Buffer>;
  close(): Promise<void>;
}

/** A browser page that has opened `ui`'s printed link: it keeps the access key, as a user's would. */
export async function openBrowserPage(ui: UiServer): Promise<BrowserPage> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  const page = await browser.newPage();
  await page.goto(ui.link);
  return {
    page,
    shot: (name) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true }),
    close: () => browser.close(),
  };
}
