import { executeCouncilExperts } from '../../client/api/council';
import { council, expert } from '../council/support';
import { openBrowserPage, startUiTestBed, type BrowserPage, type UiTestBed } from './support';

// A council's 13,000-character task filled a row of the list several screens tall, and its page
// showed only the server's cut summary: the end of the task was nowhere to read.
describe('council ui: a council with a long task', () => {
  let bed: UiTestBed;
  let browser: BrowserPage;
  const stamp = Date.now();
  const councilId = `ui-long-task-${stamp}`;
  const task = `Plan ${stamp}: ${'Weigh every option carefully. '.repeat(200)}The last line is LAST-LINE-${stamp}.`;

  beforeAll(async () => {
    bed = await startUiTestBed('ui-long-task');
    await executeCouncilExperts(
      bed.harness.client,
      council('parallel', [expert('a')], { task }),
      undefined,
      undefined,
      {
        taskQueue: bed.harness.taskQueue,
        councilId,
      },
    );
    browser = await openBrowserPage(bed.ui);
  });
  afterAll(async () => {
    await browser?.close();
    await bed?.close();
  });

  it('lists its start, not the whole task, and shows the whole task on its page', async () => {
    const { page } = browser;
    await page.goto(`${bed.ui.url}?q=${stamp}`);
    const row = page.locator(`tr[data-run="${councilId}"]`);
    await row.waitFor();
    const listed = (await row.locator('td').last().textContent()) ?? '';
    expect(listed.startsWith(`Plan ${stamp}: Weigh`)).toBe(true);
    expect(listed.length).toBeLessThan(400);
    expect(listed).not.toContain('LAST-LINE');

    await row.getByRole('link').click();
    await page.getByTestId('status').getByText('completed').waitFor();
    await page.getByText(`LAST-LINE-${stamp}`).waitFor();
  });
});
