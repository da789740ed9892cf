import type { Page } from 'playwright-core';
import { executeCouncilExperts, startCouncil } from '../../client/api/council';
import { MultiParticipantSession } from '../../client/api/session';
import type { CouncilWorkflowResult } from '../../common/council';
import { council, expert, model } from '../council/support';
import { openBrowserPage, startUiTestBed, type BrowserPage, type UiTestBed } from './support';

/** `council ui` in Debian's Chromium, headless: nothing is downloaded at run time. */
describe('council ui in a browser', () => {
  let bed: UiTestBed;
  let browser: BrowserPage;
  let page: Page;
  const stamp = Date.now();
  const sessionId = `ui-session-${stamp}`;
  const councilId = `ui-council-${stamp}`;
  const reviewedId = `ui-reviewed-${stamp}`;

  beforeAll(async () => {
    bed = await startUiTestBed('ui-browser');
    const session = await MultiParticipantSession.create(
      bed.harness.client,
      { systemPrompt: 'Be brief.', strategy: 'broadcast' },
      { taskQueue: bed.harness.taskQueue, sessionId },
    );
    await session.addParticipant('Agent-1', model, 'panelist');
    await session.addParticipant('Agent-2', model, 'panelist');
    // Markup in a message must reach the page as text, never as elements; markdown is drawn. A bidi
    // override must not reorder what the page shows ("report\u202Etxt.exe" would show "reportexe.txt").
    await session.sendMessage(
      'user',
      'Is <b id="injected">this</b> **bold**?\n\n- one\n- two\n\n[docs](https://example.com/x) [bad](javascript:alert(1))' +
        '\n\nSee report\u202Etxt.exe **now\u202E**',
    );
    await executeCouncilExperts(
      bed.harness.client,
      council('parallel', [expert('a'), expert('b')], {
        task: `Should the ${stamp} team work \u2066four\u2069 days?`,
      }),
      undefined,
      undefined,
      { taskQueue: bed.harness.taskQueue, councilId },
    );
    await executeCouncilExperts(
      bed.harness.client,
      council('parallel', [expert('a'), expert('b'), expert('c')], {
        task: `Which of the ${stamp} plans is best?`,
        peerReview: {},
      }),
      undefined,
      undefined,
      { taskQueue: bed.harness.taskQueue, councilId: reviewedId },
    );
    browser = await openBrowserPage(bed.ui);
    page = browser.page;
  });
  afterAll(async () => {
    await browser?.close();
    await bed?.close();
  });

  const shot = (name: string) => browser.shot(name);
  const panel = () => page.getByTestId('panel');

  it('lists the session and the council, filters by kind and searches the question', async () => {
    // Other test files share the namespace: the search for this file's stamp keeps their runs out.
    await page.goto(`${bed.ui.url}?q=${stamp}`);
    const session = page.locator(`tr[data-run="${sessionId}"]`);
    const councilRow = page.locator(`tr[data-run="${councilId}"]`);
    await session.waitFor();
    await councilRow.waitFor();
    await expect(session.textContent()).resolves.toContain('broadcast');
    await expect(councilRow.textContent()).resolves.toContain('parallel');
    await expect(councilRow.textContent()).resolves.toContain(`Should the ${stamp} team work four days?`);
    await shot('list');

    await page.selectOption('form.filters select[name="kind"]', 'council');
    await page.click('form.filters button[type="submit"]');
    await page.waitForURL(/kind=council/);
    await councilRow.waitFor();
    expect(await session.count()).toBe(0);

    await page.goto(`${bed.ui.url}?q=${stamp}&strategy=parallel`);
    await councilRow.waitFor();
    expect(await session.count()).toBe(0);
    await expect(page.locator('select[name="strategy"]').inputValue()).resolves.toBe('parallel');
    await page.goto(`${bed.ui.url}?q=${stamp}&since=${new Date().toISOString().slice(0, 10)}`);
    await session.waitFor();
    await page.goto(`${bed.ui.url}?q=${stamp}&since=2999-01-01`);
    await page.getByText('No sessions or councils match.').waitFor();
    // None of these runs has a budget, so none publishes a cost.
    await page.goto(`${bed.ui.url}?q=${stamp}&minCostUsd=0`);
    await page.getByText('No sessions or councils match.').waitFor();

    // A council's static summary carries its task: the search finds it by words of the task alone.
    await page.goto(`${bed.ui.url}?q=${encodeURIComponent(`the ${stamp} team`)}`);
    await councilRow.waitFor();
    expect(await session.count()).toBe(0);
  });

  it('shows a session: one tab per participant with its answers, text only, token use', async () => {
    await page.goto(`${bed.ui.url}runs/${sessionId}`);
    await page.getByRole('tab', { name: 'Agent-1' }).waitFor();
    await expect(page.title()).resolves.toBe(`${sessionId} · council`);
    await expect(page.getByRole('tab').allTextContents()).resolves.toEqual([
      'All rounds',
      'Agent-1',
      'Agent-2',
    ]);
    await expect(panel().textContent()).resolves.toContain('Is <b id="injected">this</b> bold?');
    expect(await page.locator('#injected').count()).toBe(0);
    await expect(panel().locator('strong').first().textContent()).resolves.toBe('bold');
    await expect(panel().locator('ul li').allTextContents()).resolves.toEqual(['one', 'two']);
    await expect(
      panel()
        .locator('a')
        .evaluateAll((links) => links.map((a) => a.getAttribute('href'))),
    ).resolves.toEqual(['https://example.com/x']);
    await expect(panel().textContent()).resolves.toContain('[bad](javascript:alert(1))');
    await expect(panel().textContent()).resolves.toContain('See reporttxt.exe now');
    await expect(panel().textContent()).resolves.not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    await expect(page.getByTestId('usage').textContent()).resolves.toMatch(/Agent-1 \(panelist\)15/);

    await page.getByRole('tab', { name: 'Agent-2' }).click();
    await expect(panel().textContent()).resolves.toMatch(/Agent-2: answer \d/);
    await expect(panel().textContent()).resolves.not.toContain('Agent-1:');
    await shot('session');

    // The keys of the WAI-ARIA tabs pattern move between tabs; the focus goes with the selection.
    const selected = () => page.locator('[role="tab"][aria-selected="true"]').textContent();
    const focused = () => page.locator(':focus').textContent();
    for (const [key, tab] of [
      ['ArrowLeft', 'Agent-1'],
      ['End', 'Agent-2'],
      ['Home', 'All rounds'],
      ['ArrowLeft', 'Agent-2'],
    ]) {
      await page.keyboard.press(key!);
      await expect(selected()).resolves.toBe(tab);
      await expect(focused()).resolves.toBe(tab);
    }
    // The open session's page polls and draws its tabs anew: the focus stays on the selected tab.
    await page.locator(':focus').evaluate((tab) => tab.setAttribute('data-drawn-before', ''));
    await page.locator('[data-drawn-before]').waitFor({ state: 'detached' });
    await expect(focused()).resolves.toBe('Agent-2');
    await expect(page.locator('[role="tabpanel"]').getAttribute('aria-labelledby')).resolves.toBe(
      await page.locator('[role="tab"][aria-selected="true"]').getAttribute('id'),
    );
  });

  it('sends a message from the form and sees the answers of the new round appear', async () => {
    await page.goto(`${bed.ui.url}runs/${sessionId}`);
    await page.getByTestId('message').fill('And now, briefly?');
    await page.click('form.send button[type="submit"]');
    await panel().getByText('Round 2 · Agent-1 (panelist)').waitFor({ timeout: 30_000 });
    await panel().getByText('Round 2 · Agent-2 (panelist)').waitFor({ timeout: 30_000 });
    await expect(panel().textContent()).resolves.toContain('And now, briefly?');
    await expect(page.getByTestId('send-status').textContent()).resolves.toBe('sent');
    // A screen reader hears the form's outcome, and which entries are new: the entries are drawn
    // again at every poll, so one status line says what changed, in the render that drew it.
    await expect(page.getByTestId('send-status').getAttribute('role')).resolves.toBe('status');
    const announce = page.getByTestId('announce');
    await expect(announce.getAttribute('role')).resolves.toBe('status');
    await expect(announce.textContent()).resolves.toMatch(/^New: (.+; )?Round 2 · Agent-\d \(panelist\)/);
    expect(bed.logged).toEqual([]);
    await shot('session-sent');
  });

  it('shows a council: a tab per expert and the synthesizer, with answers and the synthesis', async () => {
    await page.goto(`${bed.ui.url}runs/${councilId}`);
    await page.getByRole('tab', { name: 'Expert A' }).waitFor();
    const tabs = await page.getByRole('tab').allTextContents();
    expect(tabs.slice(0, 3)).toEqual(['All rounds', 'Expert A', 'Expert B']);
    expect(tabs).toHaveLength(4);
    await expect(page.getByTestId('status').textContent()).resolves.toContain(
      'council · completed · parallel',
    );
    await page.getByRole('tab', { name: 'Expert B' }).click();
    await expect(panel().textContent()).resolves.toMatch(/Expert B: answer \d/);
    await page.getByRole('tab', { name: tabs[3]! }).click();
    await expect(panel().textContent()).resolves.toContain('(synthesizer)');
    // A closed run offers no form: there is nobody to send to.
    expect(await page.locator('form.send').count()).toBe(0);
    // Opened after its end, nothing is new: the status line stays silent.
    await expect(page.getByTestId('announce').textContent()).resolves.toBe('');
    await shot('council');
  });

  it("shows a reviewed council's peer review: the aggregate ranking and each reviewer", async () => {
    await page.goto(`${bed.ui.url}runs/${reviewedId}`);
    await page.getByTestId('rankings').waitFor();
    const result = (await bed.harness.client.workflow
      .getHandle(reviewedId)
      .result()) as CouncilWorkflowResult;
    const rows = await page.locator('[data-testid="rankings"] tr').allTextContents();
    expect(rows.slice(1)).toEqual(
      (result.aggregateRanking ?? []).map(
        (row) =>
          `${row.place}${row.expertName}${row.borda}${row.meanRank === null ? '' : row.meanRank.toFixed(2)}${row.votes}`,
      ),
    );
    await expect(page.getByTestId('reviewers').locator('li').allTextContents()).resolves.toEqual(
      Object.values(result.rankings ?? {}).map(
        (review) =>
          `${review.reviewerName}: ${review.status === 'ranked' ? review.ranking.map((answer) => answer.expertName).join(' > ') : review.status}`,
      ),
    );
    expect(Object.keys(result.rankings ?? {})).toHaveLength(3);
    await shot('council-reviewed');
  });

  it("sends a person's message to a council waiting for one, and sees it among the entries", async () => {
    const waitingId = `ui-waiting-${stamp}`;
    const context = council('parallel', [expert('a'), expert('b')], {
      awaitHumanBetweenRounds: { timeoutMs: 120_000 },
    });
    await startCouncil(bed.harness.client, context, {
      taskQueue: bed.harness.taskQueue,
      councilId: waitingId,
    });
    await page.goto(`${bed.ui.url}runs/${waitingId}`);
    await panel().getByText('Round 1 · Expert B (answer)').waitFor({ timeout: 30_000 });
    await page.getByTestId('message').fill('Mind the budget.');
    await page.click('form.send button[type="submit"]');
    // The council goes on once the person has spoken: the form may already be gone, the message stays.
    await panel().getByText('Round 1 · Human (person)').waitFor({ timeout: 30_000 });
    await expect(panel().textContent()).resolves.toContain('Mind the budget.');
    await shot('council-person');
    await bed.harness.client.workflow.getHandle(waitingId).result();
  });

  // A selector's picks are calls no participant made: the table listed the participants only, so
  // its rows did not add up to the page's total.
  it("counts a selector's calls in the usage table, so its rows add up to the total", async () => {
    const id = `ui-selector-${stamp}`;
    const session = await MultiParticipantSession.create(
      bed.harness.client,
      { strategy: 'selector', selector: { model, maxTurns: 2 } },
      { taskQueue: bed.harness.taskQueue, sessionId: id },
    );
    await session.addParticipant('Planner', model, 'panelist');
    await session.addParticipant('Critic', model, 'panelist');
    await session.sendMessage('user', 'Plan the launch.');
    await page.goto(`${bed.ui.url}runs/${id}`);
    await page.getByRole('tab', { name: 'Planner' }).waitFor();
    const rows = await page.getByTestId('usage').locator('tr').allTextContents();
    const others = rows.find((row) => row.startsWith('other calls'));
    expect(others).toMatch(/^other calls \(the selector, removed participants\)[1-9]\d*$/);
    const sum = rows.reduce((total, row) => total + Number(/\)(\d+)$/.exec(row)?.[1] ?? 0), 0);
    await expect(page.getByText(/ · \d+ tokens$/).textContent()).resolves.toMatch(
      new RegExp(` · ${sum} tokens$`),
    );
    await session.close();
  });

  it('cancels a live session from the page, after asking', async () => {
    await page.goto(`${bed.ui.url}runs/${sessionId}`);
    await page.getByTestId('cancel').waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('cancel').click();
    await page.getByText(/^session · cancelled · broadcast/).waitFor({ timeout: 30_000 });
    expect(await page.locator('form.send').count()).toBe(0);
    await expect(page.getByTestId('announce').textContent()).resolves.toBe('The session ended: cancelled.');
    const description = await bed.harness.client.workflow.getHandle(sessionId).describe();
    expect(description.status.name).toBe('CANCELLED');
    await shot('session-cancelled');
  });
});
