import { chatRequests } from '../helpers/mockLlm';
import { rawRequest, startUiTestBed, type UiTestBed } from './support';

/** POST /api/runs: what the "New run" form posts must carry the token, fit its bound and its schema. */
describe('council ui: starting a run is guarded', () => {
  let bed: UiTestBed;
  let host: string;
  const question = `guarded start ${Date.now()}`;
  const start = (headers: Record<string, string>, body: string) =>
    rawRequest(bed.ui.port, {
      method: 'POST',
      path: '/api/runs',
      headers: { Host: host, 'Content-Type': 'application/json', ...headers },
      body,
    });
  const good = JSON.stringify({ kind: 'session', question });
  const listed = async () => {
    const list = await rawRequest(bed.ui.port, {
      path: `/api/runs?q=${encodeURIComponent(question)}`,
      headers: { Host: host },
    });
    return (JSON.parse(list.body) as { runs: unknown[] }).runs;
  };

  beforeAll(async () => {
    bed = await startUiTestBed('ui-start-guard');
    host = `127.0.0.1:${bed.ui.port}`;
  });
  afterAll(async () => {
    await bed?.close();
  });

  it('refuses a POST without the token (403), too large (413), or not as the form sends it (400, 415)', async () => {
    const token = { 'X-Council-Token': bed.ui.token };
    expect((await start({}, good)).status).toBe(403);
    expect((await start({ 'X-Council-Token': 'x'.repeat(bed.ui.token.length) }, good)).status).toBe(403);
    expect((await start({ ...token, Origin: 'http://evil.example' }, good)).status).toBe(403);
    const huge = JSON.stringify({ kind: 'session', question, config: 'x'.repeat(3 * 1024 * 1024) });
    const tooLarge = await start(token, huge);
    expect([tooLarge.status, JSON.parse(tooLarge.body)]).toEqual([413, { error: 'the run is too large' }]);
    expect((await start({ ...token, 'Content-Type': 'text/plain' }, good)).status).toBe(415);
    const bodies = [
      'not json',
      JSON.stringify({ kind: 'meeting', question }),
      JSON.stringify({ kind: 'session', question, strategy: 'shouting' }),
      JSON.stringify({ kind: 'session', question, extra: true }),
      JSON.stringify({ kind: 'council', question: 7 }),
      // A strategy is a session's and a mode a council's: the other kind dropped it without a word.
      JSON.stringify({ kind: 'session', question, mode: 'parallel' }),
      JSON.stringify({ kind: 'council', question, strategy: 'broadcast' }),
    ];
    for (const body of bodies) expect((await start(token, body)).status).toBe(400);
    const crossed = await start(token, JSON.stringify({ kind: 'council', question, strategy: 'broadcast' }));
    expect(JSON.parse(crossed.body).error).toContain(
      'strategy: a session takes a strategy; a council takes a mode',
    );
    expect(chatRequests(bed.mock)).toEqual([]);
    expect(await listed()).toEqual([]);
  });

  it('answers a bad pasted config with where it is and how to fix it, and starts nothing', async () => {
    const token = { 'X-Council-Token': bed.ui.token };
    const config =
      'strategy: broadcast\nparticipants:\n  - name: A\n    role: panelist\n    model: { provider: nosuch, model: x }\n';
    const bad = await start(token, JSON.stringify({ kind: 'session', question, config }));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toMatch(
      /^pasted config:5: participants\[0\]\.model\.provider: Invalid discriminator/,
    );
    const syntax = await start(token, JSON.stringify({ kind: 'session', question, config: 'a: [' }));
    expect([syntax.status, JSON.parse(syntax.body).error]).toEqual([
      400,
      expect.stringMatching(/^pasted config:1:/),
    ]);
    const council = [
      'kind: council',
      'mode: parallel',
      'activeExperts:',
      '  - { id: a, name: A, model: { provider: openai, model: gpt-4o-mini } }',
      'synthesisConfig: { model: { provider: openai, model: gpt-4o } }',
    ].join('\n');
    const mismatch = JSON.parse(
      (await start(token, JSON.stringify({ kind: 'session', question, config: council }))).body,
    );
    expect(mismatch).toEqual({
      error: 'pasted config: it is a council config, and the form asks for a session',
      hint: 'choose "council" in the form, or paste a session config',
    });
    const empty = await start(token, JSON.stringify({ kind: 'council', question: '  ' }));
    expect(JSON.parse(empty.body)).toEqual({
      error: 'no task: type one in the form',
      hint: 'or set "task" in the pasted config',
    });
    expect(chatRequests(bed.mock)).toEqual([]);
    expect(await listed()).toEqual([]);
  });

  it('starts a session of the default participants with the token, and says it is simulated', async () => {
    const started = await start({ 'X-Council-Token': bed.ui.token, Origin: `http://${host}` }, good);
    expect(started.status).toBe(201);
    const { id, kind, simulated } = JSON.parse(started.body) as {
      id: string;
      kind: string;
      simulated: boolean;
    };
    expect([kind, simulated]).toEqual(['session', true]);
    expect(id).toMatch(/^run-\d{8}-\d{6}-[a-z0-9]+$/);
    await bed.harness.client.workflow.getHandle(id).result();
    expect((await listed()).length).toBe(1);
    expect(bed.logged).toEqual([]);
  });
});
