import { MultiParticipantSession } from '../../client/api/session';
import { model } from '../council/support';
import { speakerOf } from '../helpers/mockLlm';
import { waitFor } from '../helpers/wait';
import { openBrowserPage, rawRequest, startUiTestBed, type BrowserPage, type UiTestBed } from './support';

// A run that failed or was terminated says why on its page and in its API, as `council show` does:
// a page reading only "failed · Nothing yet." leaves its reader no way to act.
describe('council ui: a run that ended early says why', () => {
  let bed: UiTestBed;
  let browser: BrowserPage;
  const stamp = Date.now();

  beforeAll(async () => {
    bed = await startUiTestBed('ui-failure', (mock) => {
      mock.on(
        { predicate: (request) => speakerOf({ body: request }) === 'Broken' },
        { error: { message: 'this request is malformed', type: 'invalid_request_error' }, status: 400 },
      );
      // Still writing a minute later: the session is cancelled during its call.
      mock.on(
        { predicate: (request) => speakerOf({ body: request }) === 'Hangs' },
        { content: 'word '.repeat(100) },
        { chunkSize: 5, latency: 3_000 },
      );
    });
    browser = await openBrowserPage(bed.ui);
  });
  afterAll(async () => {
    await browser?.close();
    await bed?.close();
  });

  const viewOf = async (id: string) => {
    const host = `127.0.0.1:${bed.ui.port}`;
    const response = await rawRequest(bed.ui.port, { path: `/api/runs/${id}`, headers: { Host: host } });
    expect(response.status).toBe(200);
    return JSON.parse(response.body) as {
      workflowStatus: string;
      failure?: string;
      entries: Array<{ from: string; status: string; error?: string }>;
      participants: Array<{ name: string; state?: { kind: string; error?: { message: string } } }>;
    };
  };

  it('shows the provider policy refusal a session failed with', async () => {
    const id = `ui-failed-${stamp}`;
    const refused = { ...model, baseURL: 'http://127.0.0.1:9/v1', apiKeyEnv: 'OPENAI_API_KEY' };
    const session = await MultiParticipantSession.create(
      bed.harness.client,
      { strategy: 'broadcast', participants: [{ name: 'Eve', role: 'panelist', model: refused }] },
      { taskQueue: bed.harness.taskQueue, sessionId: id },
    );
    await bed.harness.client.workflow
      .getHandle(session.sessionId)
      .result()
      .catch(() => undefined);
    const view = await viewOf(id);
    expect(view.workflowStatus).toBe('failed');
    expect(view.failure).toContain(
      'participant "Eve": provider policy: this worker does not send OPENAI_API_KEY',
    );
    await browser.page.goto(`${bed.ui.url}runs/${id}`);
    await browser.page
      .getByTestId('failure')
      .getByText('failed: participant "Eve": provider policy')
      .waitFor();
  });

  it('shows the reason a session was terminated with, before any worker served it', async () => {
    const id = `ui-terminated-${stamp}`;
    await MultiParticipantSession.create(
      bed.harness.client,
      { strategy: 'broadcast' },
      { taskQueue: bed.harness.taskQueue, sessionId: id },
    );
    await bed.harness.client.workflow.getHandle(id).terminate('stopped by the operator for maintenance');
    expect(await viewOf(id)).toMatchObject({
      workflowStatus: 'terminated',
      // Never served, it answers no query: the page says so instead of failing (HTTP 500).
      failure: 'stopped by the operator for maintenance; its state cannot be read (Failed to query Workflow)',
    });
  });

  it("keeps each round's failed answer with its reason, not only the latest round's", async () => {
    const id = `ui-failed-answer-${stamp}`;
    const session = await MultiParticipantSession.create(
      bed.harness.client,
      {
        strategy: 'broadcast',
        participants: ['Broken', 'Fine'].map((name) => ({ name, role: 'panelist' as const, model })),
      },
      { taskQueue: bed.harness.taskQueue, sessionId: id },
    );
    await session.sendMessage('user', 'First?');
    await session.sendMessage('user', 'Second?');
    const broken = (await viewOf(id)).entries.filter((entry) => entry.from === 'Broken');
    expect(broken).toEqual([
      expect.objectContaining({
        status: 'failed',
        error: expect.stringContaining('this request is malformed'),
      }),
      expect.objectContaining({
        status: 'failed',
        error: expect.stringContaining('this request is malformed'),
      }),
    ]);
    await session.close();
  });

  it('shows no call thinking in a session cancelled during it', async () => {
    const id = `ui-cancelled-${stamp}`;
    const { client, taskQueue } = bed.harness;
    const session = await MultiParticipantSession.create(
      client,
      { strategy: 'broadcast', participants: [{ name: 'Hangs', role: 'panelist', model }] },
      { taskQueue, sessionId: id },
    );
    const round = session.sendMessage('user', 'Take a minute.');
    round.catch(() => undefined);
    await waitFor('the call to begin', async () =>
      (await viewOf(id)).participants.some((p) => p.name === 'Hangs' && p.state?.kind === 'thinking'),
    );
    await client.workflow.getHandle(id).cancel();
    await client.workflow
      .getHandle(id)
      .result()
      .catch(() => undefined);
    const hangs = (await viewOf(id)).participants.find((p) => p.name === 'Hangs');
    expect(hangs?.state).toEqual({
      kind: 'skipped',
      error: { type: 'SessionEnded', message: 'the session ended (cancelled) during this call' },
    });
  });
});
