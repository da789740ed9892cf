import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MultiParticipantSession } from '../../client/api/session';
import { keptUiKey, UI_KEY_FILE } from '../../client/ui/uiKey';
import { model } from '../council/support';
import { rawRequest, startUiTestBed, type UiTestBed } from './support';

// The page's server reads and starts runs with the CLI's credentials and keys. Another user of the
// machine reaches 127.0.0.1 too: without the key of the link `council ui` printed, nothing of a run
// is served and nothing is done.
describe('council ui lets in only the browser that opened its link', () => {
  let bed: UiTestBed;
  const sessionId = `ui-access-${Date.now()}`;
  let host: string;
  const anonymous = (path: string, options: { method?: string; cookie?: string } = {}) =>
    rawRequest(bed.ui.port, {
      method: options.method ?? 'GET',
      path,
      headers: { Host: host, ...(options.cookie !== undefined && { Cookie: options.cookie }) },
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

  it('refuses pages, reads, streams and actions without the key, saying which link to open', async () => {
    for (const path of ['/', `/runs/${sessionId}`, '/api/runs', `/api/runs/${sessionId}`]) {
      const answer = await anonymous(path);
      expect({ path, status: answer.status }).toEqual({ path, status: 401 });
      expect(answer.body).toContain('open the link council ui printed when it started');
      expect(answer.body).not.toContain(bed.ui.token);
      expect(answer.body).not.toContain(sessionId);
    }
    const stream = await anonymous(`/api/runs/${sessionId}/tokens`);
    expect(stream.status).toBe(401);
    const cancel = await anonymous(`/api/runs/${sessionId}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(401);
    const forged = await anonymous('/api/runs', { cookie: 'council_ui=0123abcd' });
    expect(forged.status).toBe(401);
    const wrongKey = await anonymous('/?key=0123abcd');
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.headers['set-cookie']).toBeUndefined();
    expect(wrongKey.body).toContain('the key of this link is not the one of the council ui serving it');
  });

  it("serves the page's code and style to anyone: they hold nothing of a run", async () => {
    expect((await anonymous('/static/app.js')).status).toBe(200);
    expect((await anonymous('/static/style.css')).status).toBe(200);
  });

  it('trades the key of its link for a cookie the page cannot read, and lets that cookie in', async () => {
    const link = new URL(bed.ui.link);
    const entered = await anonymous(`/runs/${sessionId}?key=${link.searchParams.get('key')}&q=x`);
    expect(entered.status).toBe(303);
    // The key leaves the address bar; what else the link asked for stays.
    expect(entered.headers.location).toBe(`/runs/${sessionId}?q=x`);
    const [cookie] = entered.headers['set-cookie'] as string[];
    expect(cookie).toMatch(/; HttpOnly; SameSite=Strict; Path=\/$/);
    const pair = cookie!.split(';')[0]!;
    const page = await anonymous(`/runs/${sessionId}`, { cookie: `theme=dark; ${pair}` });
    expect(page.status).toBe(200);
    const view = await anonymous(`/api/runs/${sessionId}`, { cookie: pair });
    expect(JSON.parse(view.body)).toMatchObject({ id: sessionId });
  });
});

// A page left open, or its link kept, still works after `council ui` restarts: the key is kept in the
// data directory, where only its owner reads it.
describe("council ui's kept key", () => {
  it('is made once, kept readable by its owner only, and made again when the file holds no key', () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'council-ui-key-')), 'data');
    const file = path.join(dataDir, UI_KEY_FILE);
    const key = keptUiKey(dataDir);
    expect(key).toMatch(/^[0-9a-f]{48}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    chmodSync(file, 0o644);
    expect(keptUiKey(dataDir)).toBe(key);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeFileSync(file, 'not a key\n');
    const remade = keptUiKey(dataDir);
    expect(remade).not.toBe(key);
    expect(readFileSync(file, 'utf8')).toBe(`${remade}\n`);
  });
});
