import { MultiParticipantSession } from '../../client/api/session';
import { COUNCIL_STATUSES } from '../../common/councilApi';
import { CouncilStatusKey, SESSION_STATUSES } from '../../common/searchAttributes';
import type { SessionConfigInput } from '../../common/session';
import { pricedMini } from '../helpers/pricedModels';
import { waitFor } from '../helpers/wait';
import { openBrowserPage, startUiTestBed, type BrowserPage, type UiTestBed } from './support';

// The list's status filter offers every status a session or a council publishes (and Temporal's ends
// of a run that could not publish one), and finds a session
// waiting for its budget (an `ask` budget holding Dear's call, whose worst case is $1 of $0.5).
const config: SessionConfigInput = {
  strategy: 'broadcast',
  budget: { maxCostUsd: 0.5, onExhausted: 'ask' },
  participants: [
    { name: 'Cheap', role: 'panelist', model: pricedMini, maxOutputTokens: 100 },
    { name: 'Dear', role: 'panelist', model: pricedMini, maxOutputTokens: 1000 },
  ],
};

describe('council ui status filter', () => {
  let bed: UiTestBed;
  let browser: BrowserPage;

  beforeAll(async () => {
    bed = await startUiTestBed('ui-status-filter');
    browser = await openBrowserPage(bed.ui);
  });
  afterAll(async () => {
    await browser?.close();
    await bed?.close();
  });

  it('offers every status, waiting-budget among them, and lists the session waiting for its budget', async () => {
    const { client, taskQueue } = bed.harness;
    const session = await MultiParticipantSession.create(client, config, { taskQueue });
    const round = session.sendMessage('user', 'What is 2 + 2?');
    const handle = client.workflow.getHandle(session.sessionId);
    await waitFor(
      'the session to wait for its budget',
      async () => (await handle.describe()).typedSearchAttributes.get(CouncilStatusKey) === 'waiting-budget',
    );

    const { page } = browser;
    const row = page.getByTestId('runs').getByRole('link', { name: session.sessionId });
    await waitFor('the waiting session listed under its status', async () => {
      await page.goto(`${bed.ui.url}?status=waiting-budget`);
      await page.getByRole('button', { name: 'Filter' }).waitFor();
      return (await row.count()) === 1;
    });
    const options = await page.locator('select[name="status"] option').allTextContents();
    // Every status a run publishes, and how Temporal ended a run that could not say (as the list shows it).
    const ends = ['failed', 'terminated', 'timed_out'];
    expect(options.slice(1).sort()).toEqual(
      [...new Set([...SESSION_STATUSES, ...COUNCIL_STATUSES]), ...ends].sort(),
    );
    await expect(page.locator('select[name="status"]').inputValue()).resolves.toBe('waiting-budget');
    await browser.shot('list-waiting-budget');

    await session.stopBudget();
    await round;
    expect(bed.logged).toEqual([]);
  });
});
