import type { ChatCompletionRequest } from '@copilotkit/aimock';
import type { Page } from 'playwright-core';
import { startCouncil } from '../../client/api/council';
import { MultiParticipantSession } from '../../client/api/session';
import { watchTokens } from '../../client/api/tokens';
import { council, expert, model } from '../council/support';
import { speakerOf } from '../helpers/mockLlm';
import { waitFor } from '../helpers/wait';
import { openBrowserPage, startUiTestBed, type BrowserPage, type UiTestBed } from './support';

// A running run in the page: text streaming in (the mock writes a chunk every 40 ms), a participant
// skipped from the page, a council's wait for a person answered from its banner, and the times and
// "who was shown what" of a finished council.
const answer = Array.from({ length: 120 }, (_, i) => `idea${i}`).join(' ') + '.';
const stuckAnswer = answer.split(' ').slice(0, 40).join(' ');
const longAnswer = Array.from({ length: 3000 }, (_, i) => `w${String(i).padStart(5, '0')}`).join(' ');
const speaking = (name: string) => (request: ChatCompletionRequest) => speakerOf({ body: request }) === name;

describe('council ui on a running run', () => {
  let bed: UiTestBed;
  let browser: BrowserPage;
  let page: Page;
  const stamp = Date.now();

  beforeAll(async () => {
    bed = await startUiTestBed('ui-live', (mock) => {
      mock.on({ predicate: speaking('Slow') }, { content: answer }, { chunkSize: 6, latency: 40 });
      // About 8 s to write: still streaming when the page skips it, and done (the mock goes on
      // writing to the dropped connection) before the file ends, so nothing outlives the tests.
      mock.on({ predicate: speaking('Stuck') }, { content: stuckAnswer }, { chunkSize: 2, latency: 60 });
      // About 19 s to write 24,000 characters: far past the heartbeat's 4,096-character tail.
      mock.on({ predicate: speaking('Long') }, { content: longAnswer }, { chunkSize: 50, latency: 40 });
    });
    browser = await openBrowserPage(bed.ui);
    page = browser.page;
  });
  afterAll(async () => {
    await browser?.close();
    await bed?.close();
  });

  const shot = (name: string) => browser.shot(name);

  async function session(id: string, ...names: string[]) {
    return sessionOf('broadcast', id, ...names);
  }

  async function sessionOf(strategy: 'broadcast' | 'roundRobin', id: string, ...names: string[]) {
    const created = await MultiParticipantSession.create(
      bed.harness.client,
      { strategy },
      { taskQueue: bed.harness.taskQueue, sessionId: id },
    );
    for (const name of names) await created.addParticipant(name, model, 'panelist');
    return created;
  }

  it("shows a participant's text growing in its tab before its answer is recorded", async () => {
    const id = `ui-stream-${stamp}`;
    const slow = await session(id, 'Slow');
    await page.goto(`${bed.ui.url}runs/${id}`);
    await page.getByTestId('message').waitFor();
    let roundOver = false;
    const round = slow.sendMessage('user', 'Think aloud').finally(() => (roundOver = true));
    await page.getByRole('tab', { name: 'Slow' }).click();
    const live = page.locator('[data-testid="streaming"][data-from="Slow"] .text');
    await waitFor('partial text in the page', async () => ((await live.textContent()) ?? '').length > 20);
    const partial = (await live.textContent()) ?? '';
    expect(roundOver).toBe(false);
    expect(answer.startsWith(partial)).toBe(true);
    expect(partial.length).toBeLessThan(answer.length);
    // A screen reader is told the text still grows; the recorded answer is what it reads.
    await expect(live.getAttribute('aria-busy')).resolves.toBe('true');
    await shot('live-streaming');
    await round;
    await page.getByTestId('panel').getByText('Round 1 · Slow (panelist)').waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('panel').textContent()).resolves.toContain(answer);
    await page.getByTestId('streaming').waitFor({ state: 'detached' });
    // The page gone, its token stream ends: nothing keeps polling the server for it.
    await page.goto('about:blank');
    await waitFor('the token stream to close', () => bed.ui.openStreams() === 0);
  });

  it('says how much of the text a page that joined late does not have, rather than pass the tail off as its start', async () => {
    const id = `ui-late-${stamp}`;
    const long = await session(id, 'Long');
    let streamed = 0;
    const watch = watchTokens(
      bed.harness.client,
      id,
      (event) => (streamed = event.offset + event.text.length),
    );
    const round = long.sendMessage('user', 'Write at length');
    await waitFor('more than the heartbeat tail to stream', () => streamed > 6_000);
    await watch.stop();
    await page.goto(`${bed.ui.url}runs/${id}`);
    const earlier = page.locator('[data-testid="streaming"][data-from="Long"] [data-testid="earlier"]');
    await waitFor('the note on earlier text', async () => ((await earlier.textContent()) ?? '') !== '');
    const [, count = '0'] =
      /^… (\d+) earlier characters: the whole answer shows once it is recorded$/.exec(
        (await earlier.textContent()) ?? '',
      ) ?? [];
    const shown =
      (await page.locator('[data-testid="streaming"][data-from="Long"] .text').textContent()) ?? '';
    // What the page shows is the answer from that character on.
    expect(Number(count)).toBeGreaterThan(0);
    expect(longAnswer.slice(Number(count)).startsWith(shown)).toBe(true);
    await round;
  });

  it('skips a participant whose call is in flight, from its Skip button', async () => {
    const id = `ui-skip-${stamp}`;
    const stuck = await session(id, 'Stuck', 'Quick');
    await page.goto(`${bed.ui.url}runs/${id}`);
    await page.getByTestId('message').waitFor();
    const round = stuck.sendMessage('user', 'Go');
    await page.locator('[data-testid="streaming"][data-from="Stuck"] .text').getByText('idea0').waitFor();
    await page.getByTestId('skip-Stuck').click();
    const responses = await round;
    expect(responses.find((r) => r.participantName === 'Stuck')?.status).toBe('skipped');
    expect(responses.find((r) => r.participantName === 'Quick')?.status).toBe('ok');
    await page
      .getByTestId('panel')
      .getByText('Round 1 · Stuck (panelist) · skipped')
      .waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('skip-status').textContent()).resolves.toBe('skipping Stuck');
    await shot('live-skipped');
  });

  it('shows a council waiting for a person with the time left, and takes the answers from its form', async () => {
    const id = `ui-wait-${stamp}`;
    // An opening round and one debate round: the council waits for a person between them (not after
    // the last, where only the synthesis follows).
    const context = council('adversarial', [expert('a'), expert('b')], {
      debateRounds: 1,
      // Messaging on: the result records what each expert was shown at each turn.
      enableMessaging: true,
      awaitHumanBetweenRounds: { timeoutMs: 120_000 },
    });
    await startCouncil(bed.harness.client, context, { taskQueue: bed.harness.taskQueue, councilId: id });
    await page.goto(`${bed.ui.url}runs/${id}`);
    const status = page.getByTestId('waiting-status');
    const note = page.getByTestId('wait-note');
    await status.getByText(/^waiting for a person, \d+ s left$/).waitFor({ timeout: 30_000 });
    const left = Number(/(\d+) s left/.exec((await status.textContent()) ?? '')?.[1]);
    expect(left).toBeGreaterThan(60);
    expect(left).toBeLessThanOrEqual(120);
    await shot('live-waiting');
    await page.getByTestId('wait-answer').fill('Mind the budget.');
    await page.click('[data-testid="waiting"] button[type="submit"]');
    await note.getByText(/^(?!sending)./).waitFor();
    await expect(note.textContent()).resolves.toBe('answered');
    await page.getByTestId('panel').getByText('Round 1 · Human (person)').waitFor({ timeout: 30_000 });
    await bed.harness.client.workflow.getHandle(id).result();
    await page.getByText(/^council · completed/).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('waiting').count()).toBe(0);
  });

  it("charts each participant's time and shows what each expert was shown", async () => {
    const id = `ui-wait-${stamp}`;
    await page.goto(`${bed.ui.url}runs/${id}`);
    const times = page.getByTestId('times');
    await times.waitFor();
    const rows = await times.locator('tr').allTextContents();
    expect(rows.slice(1).map((row) => row.replace(/[\d.]+ s$/, ''))).toEqual(
      expect.arrayContaining(['Expert A (expert)', 'Expert B (expert)']),
    );
    for (const row of rows.slice(1)) expect(row).toMatch(/\d+\.\d s$/);
    // In the debate round, Expert A was shown the person's message and Expert B's position.
    await page.getByRole('tab', { name: 'Expert A' }).click();
    const shown = page.getByTestId('panel').locator('[data-testid="shown"]');
    await expect(shown.count()).resolves.toBeGreaterThan(1);
    const last = shown.last();
    await last.locator('summary').click();
    await expect(last.textContent()).resolves.toContain('Mind the budget.');
    await expect(last.textContent()).resolves.toMatch(/Expert B: answer \d/);
    await shot('live-times-shown');
  });

  it("shows what a session's participant was shown: the answers of the round before its own", async () => {
    const id = `ui-shown-${stamp}`;
    const turns = await sessionOf('roundRobin', id, 'Agent-1', 'Agent-2');
    const responses = await turns.sendMessage('user', 'One after the other');
    await page.goto(`${bed.ui.url}runs/${id}`);
    for (const response of responses) {
      await page.getByRole('tab', { name: response.participantName }).click();
      const shown = page.getByTestId('panel').locator('[data-testid="shown"]');
      await shown.locator('summary').click();
      await expect(shown.locator('pre').textContent()).resolves.toBe(
        response.shown.length
          ? `The answers of ${response.shown.join(', ')}`
          : "No other participant's answer",
      );
    }
    // Round robin: the second speaker was shown the first one's answer.
    expect(responses.map((r) => r.shown.length).sort()).toEqual([0, 1]);
    await shot('live-session-shown');
  });
});
