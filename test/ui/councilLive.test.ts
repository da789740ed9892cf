import type { ChatCompletionRequest, JournalEntry } from '@copilotkit/aimock';
import type { Page } from 'playwright-core';
import { startCouncil } from '../../client/api/council';
import { readCouncilProgress } from '../../client/api/councilRead';
import type { CouncilWorkflowResult } from '../../common/council';
import { council, expert } from '../council/support';
import { promptText, speakerOf } from '../helpers/mockLlm';
import { waitFor } from '../helpers/wait';
import { openBrowserPage, startUiTestBed, type BrowserPage, type UiTestBed } from './support';

// A council running in the page: every expert shown from the moment it starts thinking, its text
// growing as the mock streams it, one expert skipped from its Skip button, and a person's message
// sent from the page shown where it came in (among the answers of the round it came in).
const words = (name: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${name}${i}`).join(' ') + '.';
/** About 12 s each to write (a chunk every 80 ms): every expert is still thinking while the page opens. */
const answers: Record<string, string> = {
  'Expert A': words('alpha', 150),
  'Expert B': words('beta', 150),
  'Expert C': words('gamma', 150),
};
const speaking = (name: string) => (request: ChatCompletionRequest) => speakerOf({ body: request }) === name;
const prompt = (request: ChatCompletionRequest) => promptText({ body: request } as JournalEntry);
const reviewing = (request: ChatCompletionRequest) => prompt(request).includes('taking part as a reviewer');
/** A reviewer's ranking: the labels in the order its prompt lists them, then a rationale long enough to watch. */
function ranking(request: ChatCompletionRequest) {
  const listed = /Rank all \d+ responses \(([^)]*)\)/.exec(prompt(request))?.[1] ?? '';
  return { content: JSON.stringify({ ranking: listed.split(', '), rationale: words('because', 40) }) };
}

describe('council ui on a running council', () => {
  let bed: UiTestBed;
  let browser: BrowserPage;
  let page: Page;
  const id = `ui-council-live-${Date.now()}`;

  beforeAll(async () => {
    bed = await startUiTestBed('ui-council-live', (mock) => {
      // A review's prompt names its reviewer too: its fixture comes first.
      mock.on({ predicate: reviewing }, ranking, { chunkSize: 9, latency: 80 });
      for (const [name, content] of Object.entries(answers)) {
        mock.on({ predicate: speaking(name) }, { content }, { chunkSize: 9, latency: 80 });
      }
    });
    browser = await openBrowserPage(bed.ui);
    page = browser.page;
  });
  afterAll(async () => {
    await browser?.close();
    await bed?.close();
  });

  const shot = (name: string) => browser.shot(name);
  const finishedTurns = async () =>
    (await readCouncilProgress(bed.harness.client, id)).events.filter(
      (e) => e.kind === 'expert' && e.state !== 'thinking',
    );
  const streaming = (name: string) => page.locator(`[data-testid="streaming"][data-from="${name}"]`);

  it('shows each expert thinking, its text streaming, skips one and shows the message sent', async () => {
    const context = council('parallel', [expert('a'), expert('b'), expert('c')], {
      enableMessaging: true,
      peerReview: {},
    });
    await startCouncil(bed.harness.client, context, { taskQueue: bed.harness.taskQueue, councilId: id });
    await page.goto(`${bed.ui.url}runs/${id}`);

    // Every expert has its tab and its streaming call, each with a Skip button, before any turn ends.
    const shown = async (name: string) =>
      (await page.getByRole('tab', { name }).count()) === 1 &&
      (await streaming(name).count()) === 1 &&
      (await page.getByTestId(`skip-${name}`).count()) === 1;
    await waitFor(
      'every expert thinking in the page',
      async () => {
        const ended = await finishedTurns();
        if (ended.length)
          throw new Error(`a turn ended before the page showed every expert: ${ended.length}`);
        for (const name of Object.keys(answers)) if (!(await shown(name))) return false;
        return true;
      },
      30_000,
      200,
    );
    expect(await page.getByTestId('panel').locator('.entry').count()).toBe(0);

    // Expert A's text grows in its tab while its answer is still being written.
    await page.getByRole('tab', { name: 'Expert A' }).click();
    const live = streaming('Expert A').locator('.text');
    await waitFor('partial text of Expert A', async () => ((await live.textContent()) ?? '').length > 30);
    const partial = (await live.textContent()) ?? '';
    expect(answers['Expert A']!.startsWith(partial)).toBe(true);
    expect(partial.length).toBeLessThan(answers['Expert A']!.length);
    await expect(finishedTurns()).resolves.toEqual([]);
    await waitFor(
      'more text of Expert A',
      async () => ((await live.textContent()) ?? '').length > partial.length,
    );
    await page.getByRole('tab', { name: 'All rounds' }).click();
    await shot('council-live-streaming');

    // Skipping B from its button: its turn is recorded as skipped, the others go on.
    await page.getByTestId('skip-Expert B').click();
    await page
      .getByTestId('panel')
      .getByText('Round 1 · Expert B (answer) · skipped')
      .waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('skip-status').textContent()).resolves.toBe('skipping Expert B');
    await streaming('Expert B').waitFor({ state: 'detached' });

    // A person's message from the page to one expert, while A and C still think: it sits in round 1
    // before their answers.
    await page.getByTestId('message').fill('Mind the budget.');
    await page.selectOption('form.send select[name="to"]', { label: 'to Expert C' });
    await page.click('form.send button[type="submit"]');
    await page
      .getByTestId('panel')
      .getByText('Round 1 · Human (person to Expert C)')
      .waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('send-status').textContent()).resolves.toBe('sent');
    await shot('council-live-person');

    // A peer review's call streams too, but offers no Skip button: only an expert's turn can be skipped.
    const review = page.locator('[data-testid="streaming"]', { hasText: /^r1\.review\./ }).first();
    await review.waitFor({ timeout: 30_000 });
    expect(await review.locator('button').count()).toBe(0);

    const result = (await bed.harness.client.workflow.getHandle(id).result()) as CouncilWorkflowResult;
    expect(result.outputs.b).toMatchObject({ status: 'skipped', content: '' });
    expect(result.outputs.a).toMatchObject({ status: 'done', content: answers['Expert A'] });
    expect(result.outputs.c).toMatchObject({ status: 'done', content: answers['Expert C'] });
    await page.getByText(/^council · completed/).waitFor({ timeout: 30_000 });
    const heads = await page.getByTestId('panel').locator('.entry .head').allTextContents();
    const at = (head: string) => heads.findIndex((h) => h.startsWith(head));
    expect(at('Round 1 · Expert B (answer) · skipped')).toBeGreaterThanOrEqual(0);
    const person = at('Round 1 · Human (person to Expert C)');
    expect(person).toBeGreaterThan(at('Round 1 · Expert B (answer) · skipped'));
    expect(at('Round 1 · Expert A (answer)')).toBeGreaterThan(person);
    expect(at('Round 1 · Expert C (answer)')).toBeGreaterThan(person);
    expect(Object.keys(result.rankings ?? {}).length).toBeGreaterThan(0);
    await expect(page.getByTestId('panel').textContent()).resolves.toContain('Mind the budget.');
    expect(await page.getByTestId('streaming').count()).toBe(0);
    expect(bed.logged).toEqual([]);
    await shot('council-live-done');
  });
});
