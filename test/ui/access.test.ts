import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MultiParticipantSession } from '../../client/api/session';
import { KEY_HEADER } from '../../client/ui/access';
import { keptUiKey, UI_KEY_FILE } from '../../client/ui/uiKey';
import { model } from '../council/support';
import { closedSession, openBrowserPage, rawRequest, startUiTestBed, type UiTestBed } from './support';

// The page's server reads and starts runs with the CLI's credentials and keys. Another user of the
// machine reaches 127.0.0.1 too: without the key of the link `council ui` printed, its API reads
// nothing and does nothing.
describe("council ui's API answers only requests with the key of its printed link", () => {
  let bed: UiTestBed;
  const sessionId = `ui-access-${Date.now()}`;
  let host: string;
  const anonymous = (path: string, options: { method?: string; key?: string } = {}) =>
    rawRequest(bed.ui.port, {
      method: options.method ?? 'GET',
      path,
      headers: { Host: host, ...(options.key !== undefined && { [KEY_HEADER]: options.key }) },
      withoutKey: true,
    });

  beforeAll(async () => {
    bed = await startUiTestBed('ui-access');
    host = `127.0.0.1:${bed.ui.port}`;
    await MultiParticipantSession.create(
      bed.harness.client,
      { strategy: 'broadcast', participants: [{ name: 'A', role: 'panelist', model }] },
      { taskQueue: bed.harness.taskQueue, sessionId },
    );
  });
  afterAll(async () => {
    await bed?.close();
  });

  it('refuses reads, streams and actions without the key, or with another, saying which link to open', async () => {
    const paths = ['/api/runs', `/api/runs/${sessionId}`, `/api/runs/${sessionId}/tokens`];
    for (const key of [undefined, '', '0'.repeat(48), `${bed.ui.key}0`]) {
      for (const path of paths) {
        const answer = await anonymous(path, key === undefined ? {} : { key });
        expect({ path, key, status: answer.status }).toEqual({ path, key, status: 401 });
        expect(JSON.parse(answer.body).error).toMatch(
          /^this (request has no key|key is not the one of this council ui): open the link council ui printed when it started \(it holds the key\)$/,
        );
      }
    }
    const wrongInQuery = await anonymous(`/api/runs/${sessionId}?key=${'0'.repeat(48)}`);
    expect(wrongInQuery.status).toBe(401);
    const cancel = await anonymous(`/api/runs/${sessionId}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(401);
    expect(bed.ui.openStreams()).toBe(0);
  });

  it('serves the pages and their code to anyone: what they show of runs comes from the API', async () => {
    for (const path of ['/', `/runs/${sessionId}`, '/static/key.js', '/static/app.js']) {
      const answer = await anonymous(path);
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
      expect(answer.body).not.toContain(bed.ui.key);
    }
    // Asked for by browsers on every page: nothing, rather than a 404 in the page's console.
    expect((await anonymous('/favicon.ico')).status).toBe(204);
  });

  it('takes the key in its header, or in the query (the token stream sends no header)', async () => {
    const view = await anonymous(`/api/runs/${sessionId}`, { key: bed.ui.key });
    expect(JSON.parse(view.body)).toMatchObject({ id: sessionId });
    const closed = await closedSession(bed, `${sessionId}-closed`);
    // In the query of any API request, the key is taken before its filter is read.
    const listed = await anonymous(`/api/runs?key=${bed.ui.key}&q=${sessionId}`);
    expect(listed.status).toBe(200);
    expect(JSON.parse(listed.body).runs.map((run: { id: string }) => run.id)).toContain(sessionId);
    const stream = await anonymous(`/api/runs/${closed}/tokens?key=${bed.ui.key}`);
    expect(stream.status).toBe(200);
    expect(stream.body).toBe('event: end\ndata: {"status":"completed"}\n\n');
    // The link carries the key in its fragment, which a browser sends to no server.
    expect(bed.ui.link).toBe(`${bed.ui.url}#key=${bed.ui.key}`);
  });

  it('a browser that opened the link keeps the key, out of its address bar; another is told which link to open', async () => {
    const browser = await openBrowserPage(bed.ui);
    try {
      const { page } = browser;
      await page.getByText(sessionId).first().waitFor();
      expect(page.url()).toBe(bed.ui.url);
      await page.goto(`${bed.ui.url}?q=${sessionId}`);
      await page.getByText(sessionId).first().waitFor();
      // Another browser profile: its storage holds no key.
      const stranger = await (await page.context().browser()!.newContext()).newPage();
      await stranger.goto(bed.ui.url);
      await stranger.getByTestId('error').getByText('this request has no key: open the link').waitFor();
      expect(await stranger.getByText(sessionId).count()).toBe(0);
      // Nothing to filter without the key: the page says which link to open, not an empty filter bar.
      expect(await stranger.locator('form.filters').count()).toBe(0);
      // A mistyped key is named wrong, not missing.
      await stranger.goto(`${bed.ui.url}?q=${sessionId}#key=${bed.ui.key.slice(1)}`);
      await stranger.reload();
      await stranger.getByTestId('error').getByText('this key is not the one of this council ui').waitFor();
      // The link pasted over a page of the same address changes only its fragment: the page takes
      // the key and loads again.
      await stranger.goto(`${bed.ui.url}?q=${sessionId}#key=${bed.ui.key}`);
      await stranger.getByText(sessionId).first().waitFor();
      expect(stranger.url()).toBe(`${bed.ui.url}?q=${sessionId}`);
      // A browser that refuses the page storage (site data blocked): the key stays in the page.
      const blocked = await page.context().browser()!.newContext();
      await blocked.addInitScript(() => {
        Object.defineProperty(globalThis, 'localStorage', {
          get() {
            throw new DOMException('site data is blocked', 'SecurityError');
          },
        });
      });
      const unstored = await blocked.newPage();
      await unstored.goto(`${bed.ui.url}?q=${sessionId}#key=${bed.ui.key}`);
      await unstored.getByText(sessionId).first().waitFor();
      expect(unstored.url()).toBe(`${bed.ui.url}?q=${sessionId}`);
    } finally {
      await browser.close();
    }
  });
});

// A page left open, or its link kept, still works after `council ui` restarts: the key is kept in the
// data directory, where only its owner reads it.
describe("council ui's kept key", () => {
  it('is made once, kept readable by its owner only, and made again when the file holds no key or others could read it', () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'council-ui-key-')), 'data');
    const file = path.join(dataDir, UI_KEY_FILE);
    const key = keptUiKey(dataDir);
    expect(key).toMatch(/^[0-9a-f]{48}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(keptUiKey(dataDir)).toBe(key);
    // Readable by others, the key may have leaked: a new one replaces it.
    chmodSync(file, 0o644);
    const replaced = keptUiKey(dataDir);
    expect(replaced).not.toBe(key);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeFileSync(file, 'not a key\n');
    const remade = keptUiKey(dataDir);
    expect(remade).not.toBe(replaced);
    expect(readFileSync(file, 'utf8')).toBe(`${remade}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // A link planted in its place is refused, not followed: the key would go where it points.
    const elsewhere = path.join(path.dirname(dataDir), 'elsewhere');
    unlinkSync(file);
    symlinkSync(elsewhere, file);
    expect(() => keptUiKey(dataDir)).toThrow(`${file} is not a file of yours`);
    expect(existsSync(elsewhere)).toBe(false);
  });
});
