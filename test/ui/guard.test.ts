import { request, type ClientRequest } from 'node:http';
import { MultiParticipantSession } from '../../client/api/session';
import { startCouncil } from '../../client/api/council';
import { readCouncilProgress } from '../../client/api/councilRead';
import { councilMessages } from '../../client/api/conversation';
import { council, expert, model } from '../council/support';
import { waitFor } from '../helpers/wait';
import { chatRequests } from '../helpers/mockLlm';
import { SECURITY_HEADERS } from '../../client/ui/guard';
import { KEY_HEADER } from '../../client/ui/access';
import { closedSession, rawRequest, startUiTestBed, type UiTestBed } from './support';

/** What a local server must refuse: other host names, POSTs without the token or from elsewhere. */
describe('council ui guards', () => {
  let bed: UiTestBed;
  const sessionId = `ui-guard-${Date.now()}`;
  let host: string;
  let send: (headers: Record<string, string>, body?: string) => ReturnType<typeof rawRequest>;

  beforeAll(async () => {
    bed = await startUiTestBed('ui-guard');
    host = `127.0.0.1:${bed.ui.port}`;
    const session = await MultiParticipantSession.create(
      bed.harness.client,
      { systemPrompt: 'Be brief.', strategy: 'broadcast' },
      { taskQueue: bed.harness.taskQueue, sessionId },
    );
    await session.addParticipant('Agent-1', model, 'panelist');
    send = (headers, body = JSON.stringify({ content: 'Hello?' })) =>
      rawRequest(bed.ui.port, {
        method: 'POST',
        path: `/api/runs/${sessionId}/messages`,
        headers: { Host: host, 'Content-Type': 'application/json', ...headers },
        body,
      });
  });
  afterAll(async () => {
    await bed?.close();
  });

  it('serves the page with a strict CSP and its token, and no inline script', async () => {
    const page = await rawRequest(bed.ui.port, { path: '/', headers: { Host: host } });
    expect(page.status).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.body).toContain(`content="${bed.ui.token}"`);
    expect(page.body).not.toMatch(/<script>/);
    for (const file of [
      'key.js',
      'app.js',
      'newRun.js',
      'run.js',
      'runParts.js',
      'announce.js',
      'live.js',
      'markdown.js',
    ]) {
      const script = await rawRequest(bed.ui.port, { path: `/static/${file}`, headers: { Host: host } });
      expect(script.headers['content-type']).toMatch(/^text\/javascript/);
      expect(script.body).not.toContain('innerHTML');
    }
  });

  it('serves a run under any id the CLI lets a run have (letters of any script, @ / + , =)', async () => {
    const id = `team/review@1+Réunion=${Date.now()}`;
    await MultiParticipantSession.create(
      bed.harness.client,
      { strategy: 'broadcast' },
      { taskQueue: bed.harness.taskQueue, sessionId: id },
    );
    const answer = await rawRequest(bed.ui.port, {
      path: `/api/runs/${encodeURIComponent(id)}`,
      headers: { Host: host },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain(JSON.stringify(id));
  });

  it('refuses a host name other than its loopback names (DNS rebinding)', async () => {
    for (const name of [`evil.example:${bed.ui.port}`, '127.0.0.1:1', 'localhost']) {
      const answer = await rawRequest(bed.ui.port, {
        path: `/api/runs?q=${sessionId}`,
        headers: { Host: name },
      });
      expect(answer.status).toBe(421);
      expect(answer.body).not.toContain(sessionId);
    }
    const local = await rawRequest(bed.ui.port, {
      path: `/api/runs?q=${sessionId}`,
      headers: { Host: `localhost:${bed.ui.port}` },
    });
    expect(local.status).toBe(200);
    expect(local.body).toContain(sessionId);
  });

  it('reads a percent-encoded run id (scheduled runs end in a UTC time) and refuses a malformed one', async () => {
    const get = (path: string) => rawRequest(bed.ui.port, { path, headers: { Host: host } });
    const unknown = await get('/api/runs/no-such-run-2026-12-03T04%3A00%3A00Z');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error).toContain(
      'no session or council with id "no-such-run-2026-12-03T04:00:00Z"',
    );
    expect((await get('/api/runs/bad%ZZid')).status).toBe(404);
    expect(JSON.parse((await get(`/api/runs/${encodeURIComponent(sessionId)}`)).body).id).toBe(sessionId);
  });

  // A bad filter was answered `bad filter`, naming neither the parameter nor what it takes.
  it('says which filter is wrong and what it takes', async () => {
    const get = (path: string) => rawRequest(bed.ui.port, { path, headers: { Host: host } });
    const zero = await get('/api/runs?limit=0');
    expect(zero.status).toBe(400);
    expect(JSON.parse(zero.body).error).toMatch(/^bad filter: limit: .*1/);
    const unknown = await get('/api/runs?colour=red');
    expect(JSON.parse(unknown.body).error).toContain('colour');
  });

  it('answers a path that is none of its pages with a page that links the list, and an unknown API path with JSON', async () => {
    const get = (path: string) => rawRequest(bed.ui.port, { path, headers: { Host: host } });
    const page = await get('/no-such-page');
    expect(page.status).toBe(404);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(SECURITY_HEADERS['Content-Security-Policy']);
    expect(page.body).toContain('<a href="/">the list of sessions and councils</a>');
    expect(page.body).not.toContain('no-such-page');
    // A run path whose id no run could have (a malformed escape, a space) is no page either: the
    // page would have failed to read it, blank.
    for (const path of ['/runs/%E0', '/runs/a%20b']) {
      expect({ path, status: (await get(path)).status }).toEqual({ path, status: 404 });
    }
    expect((await get('/runs/any-run-id')).status).toBe(200);
    const api = await get('/api/no-such-thing');
    expect(api.status).toBe(404);
    expect(JSON.parse(api.body)).toEqual({ error: 'not found' });
  });

  it('refuses a POST without the token, with a wrong one, or from another origin; no round starts', async () => {
    const before = chatRequests(bed.mock).length;
    expect((await send({})).status).toBe(403);
    const wrong = await send({ 'X-Council-Token': 'x'.repeat(bed.ui.token.length) });
    expect(wrong.status).toBe(403);
    // A page left open across a restart of council ui holds the old token: it is told to reload.
    expect(JSON.parse(wrong.body).error).toBe(
      'missing or wrong token: council ui makes a new one each time it starts, so reload the page',
    );
    const foreign = await send({ 'X-Council-Token': bed.ui.token, Origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).error).toBe(
      'refused a request from another origin (http://evil.example): use the page council ui serves',
    );
    expect((await send({ 'X-Council-Token': bed.ui.token, 'Content-Type': 'text/plain' })).status).toBe(415);
    const empty = await send({ 'X-Council-Token': bed.ui.token }, JSON.stringify({ content: '  ' }));
    expect(empty.status).toBe(400);
    const unknown = await send(
      { 'X-Council-Token': bed.ui.token },
      JSON.stringify({ content: 'Hi', to: ['Nobody'] }),
    );
    expect(unknown.status).toBe(400);
    expect(chatRequests(bed.mock).length).toBe(before);
    const cancel = await rawRequest(bed.ui.port, {
      method: 'POST',
      path: `/api/runs/${sessionId}/cancel`,
      headers: { Host: host, 'X-Council-Token': 'wrong' },
    });
    expect(cancel.status).toBe(403);
    const skip = (headers: Record<string, string>, body = JSON.stringify({ participant: 'Agent-1' })) =>
      rawRequest(bed.ui.port, {
        method: 'POST',
        path: `/api/runs/${sessionId}/skip`,
        headers: { Host: host, 'Content-Type': 'application/json', ...headers },
        body,
      });
    expect((await skip({})).status).toBe(403);
    expect((await skip({ 'X-Council-Token': bed.ui.token, Origin: 'http://evil.example' })).status).toBe(403);
    expect((await skip({ 'X-Council-Token': bed.ui.token, 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await skip({ 'X-Council-Token': bed.ui.token }, '{"participant":""}')).status).toBe(400);
    // Nothing in flight: the skip is taken and says so.
    const idle = await skip({ 'X-Council-Token': bed.ui.token, Origin: `http://${host}` });
    expect([idle.status, JSON.parse(idle.body)]).toEqual([200, { skipped: false }]);
    const description = await bed.harness.client.workflow.getHandle(sessionId).describe();
    expect(description.status.name).toBe('RUNNING');
  });

  it("refuses a council expert's skip with no call in flight, or of an unknown expert, saying why", async () => {
    const councilId = `${sessionId}-council`;
    // The council waits for a person after its round: running, with no call in flight.
    const context = council('parallel', [expert('a'), expert('b'), expert('c')], {
      awaitHumanBetweenRounds: { timeoutMs: 120_000 },
    });
    await startCouncil(bed.harness.client, context, { taskQueue: bed.harness.taskQueue, councilId });
    const handle = bed.harness.client.workflow.getHandle(councilId);
    await waitFor('the council to wait for a person', async () => {
      const { events } = await readCouncilProgress(bed.harness.client, councilId);
      return events.some((e) => e.kind === 'status' && e.status === 'awaiting-human');
    });
    const skip = async (participant: string) => {
      const response = await rawRequest(bed.ui.port, {
        method: 'POST',
        path: `/api/runs/${councilId}/skip`,
        headers: { Host: host, 'Content-Type': 'application/json', 'X-Council-Token': bed.ui.token },
        body: JSON.stringify({ participant }),
      });
      return [response.status, (JSON.parse(response.body) as { error: string }).error];
    };
    expect(await skip('a')).toEqual([400, expect.stringContaining('expert "a" has no call in flight')]);
    expect(await skip('zz')).toEqual([400, expect.stringContaining('no expert "zz" in this council')]);
    // A message to two experts reaches both, as `council send --to a,b` does (it went to the first alone).
    const posted = await rawRequest(bed.ui.port, {
      method: 'POST',
      path: `/api/runs/${councilId}/messages`,
      headers: { Host: host, 'Content-Type': 'application/json', 'X-Council-Token': bed.ui.token },
      body: JSON.stringify({ content: 'Mind the budget.', to: ['a', 'b'] }),
    });
    expect(posted.status).toBe(200);
    const { sent } = JSON.parse(posted.body) as { sent: string };
    const stored = (await councilMessages(bed.harness.client, councilId)).find((m) => m.id === sent);
    expect(stored).toMatchObject({ content: 'Mind the budget.', recipients: ['a', 'b'] });
    await handle.cancel();
  });

  it('streams no tokens of an unknown run, and ends the stream of a closed one at once', async () => {
    const unknown = await rawRequest(bed.ui.port, {
      path: '/api/runs/no-such-run/tokens',
      headers: { Host: host },
    });
    expect(unknown.status).toBe(404);
    const closedId = await closedSession(bed, `${sessionId}-closed`);
    const stream = await rawRequest(bed.ui.port, {
      path: `/api/runs/${closedId}/tokens`,
      headers: { Host: host },
    });
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(String(stream.headers['content-security-policy'])).toContain("default-src 'none'");
    expect(stream.body).toBe('event: end\ndata: {"status":"completed"}\n\n');
    expect(bed.ui.openStreams()).toBe(0);
  });

  // The limit was checked before the run was read and taken after: streams asked for together all
  // passed the check (23 of 60 opened where 16 may).
  it('opens at most its 16 token streams when many are asked for at once', async () => {
    const requests: ClientRequest[] = [];
    const statuses = await Promise.all(
      Array.from(
        { length: 24 },
        () =>
          new Promise<number>((resolve, reject) => {
            const req = request(
              {
                host: '127.0.0.1',
                port: bed.ui.port,
                path: `/api/runs/${sessionId}/tokens`,
                headers: { Host: host, [KEY_HEADER]: bed.ui.key },
              },
              (res) => {
                res.resume();
                resolve(res.statusCode ?? 0);
              },
            );
            req.on('error', reject);
            req.end();
            requests.push(req);
          }),
      ),
    );
    try {
      expect(statuses.filter((status) => status === 200)).toHaveLength(16);
      expect(statuses.filter((status) => status === 503)).toHaveLength(8);
      expect(bed.ui.openStreams()).toBe(16);
    } finally {
      for (const req of requests) req.destroy();
    }
    await waitFor('the streams to close', () => bed.ui.openStreams() === 0);
  });

  it("refuses the API to another site's page (Sec-Fetch-Site, Origin) before it reads a run or opens a stream", async () => {
    const foreign: Array<Record<string, string>> = [
      { 'Sec-Fetch-Site': 'cross-site' },
      { 'Sec-Fetch-Site': 'same-site' },
      { Origin: 'http://evil.example' },
    ];
    for (const headers of foreign) {
      for (const path of ['/api/runs', `/api/runs/${sessionId}`, `/api/runs/${sessionId}/tokens`]) {
        const answer = await rawRequest(bed.ui.port, { path, headers: { Host: host, ...headers } });
        expect({ path, headers, status: answer.status }).toEqual({ path, headers, status: 403 });
        expect((JSON.parse(answer.body) as { error: string }).error).toMatch(
          /^refused a request from another (site|origin)/,
        );
      }
    }
    expect(bed.ui.openStreams()).toBe(0);
    // A link from anywhere still opens a page, whose own requests are same-origin.
    const linked = { Host: host, 'Sec-Fetch-Site': 'cross-site' };
    await expect(
      rawRequest(bed.ui.port, { path: `/runs/${sessionId}`, headers: linked }),
    ).resolves.toMatchObject({
      status: 200,
    });
    const own = { Host: host, 'Sec-Fetch-Site': 'same-origin', Origin: `http://${host}` };
    await expect(
      rawRequest(bed.ui.port, { path: `/api/runs/${sessionId}`, headers: own }),
    ).resolves.toMatchObject({
      status: 200,
    });
  });

  it('takes a POST with the token from its own origin and starts a round', async () => {
    const sent = await send({ 'X-Council-Token': bed.ui.token, Origin: `http://${host}` });
    expect(sent.status).toBe(202);
    await waitFor('the round the page started', async () => {
      const view = await rawRequest(bed.ui.port, { path: `/api/runs/${sessionId}`, headers: { Host: host } });
      return (JSON.parse(view.body) as { round: number }).round === 1;
    });
    expect(bed.logged).toEqual([]);
  });
});
