import type { ChatCompletionRequest } from '@copilotkit/aimock';
import { MultiParticipantSession } from '../../client/api/session';
import type { UiServer } from '../../client/ui/server';
import { model } from '../council/support';
import { speakerOf } from '../helpers/mockLlm';
import { openBrowserPage, startUiOn, startUiTestBed, type BrowserPage, type UiTestBed } from './support';

// A page left open while `council ui` restarts (or its server is briefly gone) keeps what it shows,
// says it lost touch, and picks the run up again once the server answers.
const answer = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ') + '.';

describe('council ui: a run page across a restart of the server', () => {
  let bed: UiTestBed;
  let browser: BrowserPage;
  let restarted: UiServer | undefined;

  beforeAll(async () => {
    bed = await startUiTestBed('ui-reconnect', (mock) => {
      // About 5 s to write: the restart happens while the round is in flight.
      mock.on(
        { predicate: (request: ChatCompletionRequest) => speakerOf({ body: request }) === 'Slow' },
        { content: answer },
        { chunkSize: 4, latency: 60 },
      );
    });
    browser = await openBrowserPage(bed.ui);
  });
  afterAll(async () => {
    await browser?.close();
    await restarted?.close();
    await bed?.close();
  });

  it('says it lost touch while the server is down, and follows the run to its end once it is back', async () => {
    const { page } = browser;
    const id = `ui-reconnect-${Date.now()}`;
    const session = await MultiParticipantSession.create(
      bed.harness.client,
      { strategy: 'broadcast' },
      { taskQueue: bed.harness.taskQueue, sessionId: id },
    );
    await session.addParticipant('Slow', model, 'panelist');
    const round = session.sendMessage('user', 'Take your time.');
    await page.goto(`${bed.ui.url}runs/${id}`);
    await page.getByTestId('state-Slow').getByText('thinking').waitFor();

    const port = bed.ui.port;
    await bed.ui.close();
    await page.getByTestId('connection').getByText('Lost touch with council ui').waitFor();
    restarted = await startUiOn(bed.harness, port, bed.logged, bed.ui.key);
    await round;
    await page.getByTestId('state-Slow').getByText('done').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('connection').textContent()).toBe('');
    await session.close();
  });
});
