import type { ChatCompletionRequest } from '@copilotkit/aimock';
import type { Page } from 'playwright-core';
import { MultiParticipantSession } from '../../client/api/session';
import { model } from '../council/support';
import { pricedMini } from '../helpers/pricedModels';
import { speakerOf } from '../helpers/mockLlm';
import { openBrowserPage, startUiTestBed, type BrowserPage, type UiTestBed } from './support';

// A session's run page draws each participant's state from the session's progress log: a call in
// its retry backoff, an answer that came after its round closed, a skipped call, and the person's
// message where it was sent.
const answer = Array.from({ length: 60 }, (_, i) => `step${i}`).join(' ') + '.';
/** The backoff before the second attempt: long enough for the page's poll to see it. */
const slowRetry = { maximumAttempts: 3, initialIntervalMs: 8000, backoffCoefficient: 1 };

describe('council ui: a session participant’s state from its progress log', () => {
  let bed: UiTestBed;
  let browser: BrowserPage;
  let page: Page;
  const stamp = Date.now();
  let flakyFailed = false;

  beforeAll(async () => {
    bed = await startUiTestBed('ui-states', (mock) => {
      const speaking = (name: string) => (request: ChatCompletionRequest) =>
        speakerOf({ body: request }) === name;
      // Flaky's first call fails with a 500; its retry answers.
      mock.on(
        {
          predicate: (request) => {
            if (flakyFailed || !speaking('Flaky')(request)) return false;
            flakyFailed = true;
            return true;
          },
        },
        { error: { message: 'upstream exploded', type: 'server_error' }, status: 500 },
      );
      // About 2 s to write: the quorum closes the round on Quick's answer first.
      mock.on({ predicate: speaking('Slow') }, { content: answer }, { chunkSize: 4, latency: 60 });
    });
    browser = await openBrowserPage(bed.ui);
    page = browser.page;
  });
  afterAll(async () => {
    await browser?.close();
    await bed?.close();
  });

  const stateOf = (name: string) => page.getByTestId(`state-${name}`);

  it('shows a call in its retry backoff with its attempt and reason, then done', async () => {
    const id = `ui-retry-${stamp}`;
    const session = await MultiParticipantSession.create(
      bed.harness.client,
      { strategy: 'broadcast' },
      { taskQueue: bed.harness.taskQueue, sessionId: id },
    );
    await session.addParticipant('Steady', model, 'panelist');
    await session.addParticipant('Flaky', model, 'panelist', { retry: slowRetry });
    await page.goto(`${bed.ui.url}runs/${id}`);
    await page.getByTestId('message').waitFor();
    const round = session.sendMessage('user', 'Which option?');
    round.catch(() => undefined);
    await stateOf('Flaky')
      .getByText(/^Flaky: retrying \(attempt 2 of 3\): .*upstream exploded/)
      .waitFor();
    await browser.shot('states-retrying');
    await round;
    await stateOf('Flaky').getByText('Flaky: done').waitFor({ timeout: 30_000 });
    await expect(stateOf('Steady').textContent()).resolves.toBe('Steady: done');
    // The person's message, where it was sent: round 1, from the log.
    await expect(page.getByTestId('messages').textContent()).resolves.toContain(
      'Round 1 · user: Which option?',
    );
    await session.close();
  });

  it('shows an answer that came after its round closed as late', async () => {
    const id = `ui-late-${stamp}`;
    const session = await MultiParticipantSession.create(
      bed.harness.client,
      {
        strategy: 'broadcast',
        quorum: 1,
        participants: ['Quick', 'Slow'].map((name) => ({ name, model, role: 'panelist' as const })),
      },
      { taskQueue: bed.harness.taskQueue, sessionId: id },
    );
    const responses = await session.sendMessage('user', 'Quick or slow?');
    expect(responses.map((r) => r.participantName)).toEqual(['Quick']);
    await page.goto(`${bed.ui.url}runs/${id}`);
    await stateOf('Slow').getByText('Slow: done, late').waitFor({ timeout: 30_000 });
    await expect(stateOf('Quick').textContent()).resolves.toBe('Quick: done');
    await browser.shot('states-late');
    await session.close();
  });

  it('shows a call an ask budget holds as waiting for budget, with until when', async () => {
    const id = `ui-budget-${stamp}`;
    // Dear's worst case ($1) is over the $0.5 budget: its call waits for a person to decide.
    const session = await MultiParticipantSession.create(
      bed.harness.client,
      {
        strategy: 'broadcast',
        budget: { maxCostUsd: 0.5, onExhausted: 'ask', askTimeoutMs: 120_000 },
        participants: [
          { name: 'Cheap', role: 'panelist', model: pricedMini, maxOutputTokens: 100 },
          { name: 'Dear', role: 'panelist', model: pricedMini, maxOutputTokens: 1000 },
        ],
      },
      { taskQueue: bed.harness.taskQueue, sessionId: id },
    );
    session.sendMessage('user', 'Worth it?').catch(() => undefined);
    await page.goto(`${bed.ui.url}runs/${id}`);
    await stateOf('Dear')
      .getByText(/^Dear: waiting for budget until \d{4}-\d\d-\d\dT[\d:.]+Z$/)
      .waitFor({ timeout: 30_000 });
    await browser.shot('states-budget');
    await bed.harness.client.workflow.getHandle(id).terminate('test over');
  });
});
