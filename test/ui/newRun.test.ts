import type { ChatCompletionRequest } from '@copilotkit/aimock';
import type { Page } from 'playwright-core';
import type { CouncilWorkflowResult } from '../../common/council';
import { chatRequests, speakerOf } from '../helpers/mockLlm';
import { waitFor } from '../helpers/wait';
import { rawRequest, openBrowserPage, startUiTestBed, type BrowserPage, type UiTestBed } from './support';

// The list page's "New run" form, as a person uses it: a simulated session and a simulated council
// started from it, each followed live on its page as the mock streams slowly, a person's message
// sent to the council, both seen to finish; and a bad pasted config shown on the page, starting nothing.
const words = (name: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${name}${i}`).join(' ') + '.';
/** A chunk every 80 ms: several seconds each, so the page sees the text grow before the answer ends. */
const answers: Record<string, string> = {
  'Expert-1': words('one', 60),
  'Expert-2': words('two', 60),
  Analyst: words('analyst', 90),
  Skeptic: words('skeptic', 90),
  Pragmatist: words('pragmatist', 90),
};
const speaking = (name: string) => (request: ChatCompletionRequest) => speakerOf({ body: request }) === name;

describe('council ui: a new run from the list page', () => {
  let bed: UiTestBed;
  let browser: BrowserPage;
  let page: Page;

  beforeAll(async () => {
    const slow = (mock: UiTestBed['mock']) => {
      for (const [name, content] of Object.entries(answers)) {
        mock.on({ predicate: speaking(name) }, { content }, { chunkSize: 9, latency: 80 });
      }
    };
    bed = await startUiTestBed('ui-new-run', slow, { simulatedQueue: true });
    browser = await openBrowserPage(bed.ui);
    page = browser.page;
  });
  afterAll(async () => {
    await browser?.close();
    await bed?.close();
  });

  const shot = (name: string) => browser.shot(name);
  const streaming = (name: string) => page.locator(`[data-testid="streaming"][data-from="${name}"] .text`);
  /** The run the page opened after Start: its id, from the address. */
  const openedRun = async (prefix: string) => {
    await page.waitForURL(new RegExp(`/runs/${prefix}-`), { timeout: 30_000 });
    return decodeURIComponent(new URL(page.url()).pathname.slice('/runs/'.length));
  };
  /** Text of `name` grows in the page while its answer is still being written. */
  const seeTokensArrive = async (name: string) => {
    const text = async () => (await streaming(name).textContent()) ?? '';
    await waitFor(`partial text of ${name}`, async () => (await text()).length > 20, 30_000, 100);
    const partial = await text();
    expect(answers[name]!.startsWith(partial)).toBe(true);
    expect(partial.length).toBeLessThan(answers[name]!.length);
    await waitFor(`more text of ${name}`, async () => (await text()).length > partial.length, 30_000, 100);
  };
  const startFromForm = async (question: string, kind: 'session' | 'council', shape: string) => {
    await page.goto(bed.ui.url);
    await page.getByTestId('new-question').fill(question);
    await page.selectOption('[data-testid="new-kind"]', kind);
    await page.selectOption('[data-testid="new-shape"]', shape);
    await expect(page.getByTestId('use-defaults').isChecked()).resolves.toBe(true);
    await page.getByTestId('start').click();
  };

  it('starts a simulated session, streams its answers, and shows it completed', async () => {
    await page.goto(bed.ui.url);
    const form = page.getByTestId('new-run');
    await expect(form.textContent()).resolves.toContain(
      'Default participants: SIMULATED (answers come from a local mock, not a model)',
    );
    await expect(page.getByTestId('new-config').isDisabled()).resolves.toBe(true);
    await shot('new-run-form');
    await startFromForm('Should we ship on Fridays?', 'session', 'broadcast');
    const id = await openedRun('run');
    await page.getByTestId('simulated').waitFor();
    await seeTokensArrive('Expert-1');
    await shot('new-run-session-streaming');
    await page.getByText(/^session · completed · broadcast/).waitFor({ timeout: 60_000 });
    const panel = (await page.getByTestId('panel').textContent()) ?? '';
    for (const name of ['Expert-1', 'Expert-2']) expect(panel).toContain(answers[name]);
    expect(panel).toContain('Should we ship on Fridays?');
    expect(await page.getByTestId('streaming').count()).toBe(0);
    const description = await bed.harness.client.workflow.getHandle(id).describe();
    expect(description.status.name).toBe('COMPLETED');
    await shot('new-run-session-done');
  });

  it('starts a simulated council, streams it, takes a person’s message, and shows it completed', async () => {
    await startFromForm('Review our on-call rota.', 'council', 'parallel');
    const id = await openedRun('council');
    await page.getByTestId('simulated').waitFor();
    await seeTokensArrive('Analyst');
    await page.getByTestId('message').fill('Mind the budget.');
    await shot('new-run-council-streaming');
    // The answer to the post, not the form's note: the council may take the message as its round
    // ends and finish at once, and the page then drops the form (and its note) with it.
    const answered = page.waitForResponse(
      (response) => response.url().endsWith('/messages') && response.request().method() === 'POST',
      { timeout: 60_000 },
    );
    await page.click('form.send button[type="submit"]');
    expect((await answered).status()).toBe(200);
    await page.getByText(/^council · completed · parallel/).waitFor({ timeout: 60_000 });
    const result = (await bed.harness.client.workflow.getHandle(id).result()) as CouncilWorkflowResult;
    expect(result.task).toBe('Review our on-call rota.');
    for (const [expertId, name] of [
      ['analyst', 'Analyst'],
      ['skeptic', 'Skeptic'],
      ['pragmatist', 'Pragmatist'],
    ]) {
      expect(result.outputs[expertId!]).toMatchObject({ status: 'done', content: answers[name!] });
    }
    const panel = (await page.getByTestId('panel').textContent()) ?? '';
    expect(panel).toContain('Mind the budget.');
    expect(panel).toContain(result.synthesis?.content ?? 'no synthesis');
    expect(bed.logged).toEqual([]);
    await shot('new-run-council-done');
  });

  it('shows a bad pasted config’s problem on the page and starts nothing', async () => {
    const question = `A bad config ${Date.now()}`;
    const calls = chatRequests(bed.mock).length;
    await page.goto(bed.ui.url);
    await page.getByTestId('new-question').fill(question);
    await page.getByTestId('use-config').check();
    const config =
      'strategy: broadcast\nparticipants:\n  - name: A\n    role: panelist\n    model: { provider: nosuch, model: x }\n';
    await page.getByTestId('new-config').fill(config);
    await page.getByTestId('start').click();
    const problem = page.getByTestId('start-error');
    await waitFor('the problem shown', async () =>
      /pasted config:5:/.test((await problem.textContent()) ?? ''),
    );
    await expect(problem.textContent()).resolves.toMatch(
      /^pasted config:5: participants\[0\]\.model\.provider: Invalid discriminator value\. Expected 'openai'/,
    );
    await shot('new-run-bad-config');
    expect(new URL(page.url()).pathname).toBe('/');
    const host = `127.0.0.1:${bed.ui.port}`;
    const list = await rawRequest(bed.ui.port, {
      path: `/api/runs?q=${encodeURIComponent(question)}`,
      headers: { Host: host },
    });
    expect(JSON.parse(list.body).runs).toEqual([]);
    expect(chatRequests(bed.mock).length).toBe(calls);
  });
});
