import type { ChatCompletionRequest } from '@copilotkit/aimock';
import { MultiParticipantSession } from '../../client/api/session';
import type { UiServer } from '../../client/ui/server';
import { model } from '../council/support';
import { speakerOf } from '../helpers/mockLlm';
import { waitFor } from '../helpers/wait';
import { openBrowserPage, startUiOn, startUiTestBed, type BrowserPage, type UiTestBed } from './support';

// A page left open while `council ui` restarts (or its server is briefly gone) keeps what it shows,
// says it lost touch, and picks the run up again once the server answers.
const answer = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ') + '.';
/** About 15 s to write: a restart and a reconnect fit in it, with text still to come. */
const slowerAnswer = Array.from({ length: 240 }, (_, i) => `word${i}`).join(' ') + '.';

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
      mock.on(
        { predicate: (request: ChatCompletionRequest) => speakerOf({ body: request }) === 'Slower' },
        { content: slowerAnswer },
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

  /** A session of one participant, its round in flight: its answer streams slowly (the mock above). */
  async function oneSlowRound(id: string, name: string) {
    const session = await MultiParticipantSession.create(
      bed.harness.client,
      { strategy: 'broadcast' },
      { taskQueue: bed.harness.taskQueue, sessionId: id },
    );
    await session.addParticipant(name, model, 'panelist');
    return { session, round: session.sendMessage('user', 'Take your time.') };
  }

  it('says it lost touch while the server is down, and follows the run to its end once it is back', async () => {
    const { page } = browser;
    const id = `ui-reconnect-${Date.now()}`;
    const { session, round } = await oneSlowRound(id, 'Slow');
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

  // The new stream's watcher knew nothing of the call, and sent the whole text so far as a delta:
  // the page, which keeps its calls across the reconnect, showed the answer's start twice.
  it('shows the streaming text once after the stream reconnects, not its start again', async () => {
    const { page } = browser;
    const id = `ui-reconnect-text-${Date.now()}`;
    const { session, round } = await oneSlowRound(id, 'Slower');
    await page.goto(`${(restarted ?? bed.ui).url}runs/${id}`);
    const live = page.getByTestId('streaming').filter({ hasText: 'Slower' });
    await live.getByText('word3 ', { exact: false }).waitFor();

    const port = (restarted ?? bed.ui).port;
    await (restarted ?? bed.ui).close();
    await page.getByTestId('connection').getByText('Lost touch with council ui').waitFor();
    restarted = await startUiOn(bed.harness, port, bed.logged, bed.ui.key);
    await page
      .getByTestId('connection')
      .getByText('Lost touch with council ui')
      .waitFor({ state: 'detached' });
    // Text written after the reconnect: the page follows the new stream.
    const words = async () => ((await live.textContent()) ?? '').match(/word\d+ /g)?.length ?? 0;
    const before = await words();
    await waitFor('text written after the reconnect', async () => (await words()) >= before + 8, 60_000);
    const text = (await live.textContent()) ?? '';
    expect(text.match(/word0 /g)).toHaveLength(1);
    await round;
    await session.close();
  });

  // The page gave up at its first failed look: a run page opened while council ui restarted stayed
  // an error for good.
  it('keeps trying when its first look at the run fails, and shows the run once council ui answers', async () => {
    const { page } = browser;
    const id = `ui-reconnect-first-${Date.now()}`;
    const session = await MultiParticipantSession.create(
      bed.harness.client,
      { strategy: 'broadcast' },
      { taskQueue: bed.harness.taskQueue, sessionId: id },
    );
    const api = `**/api/runs/${id}`;
    let unreachable = true;
    let refused = 0;
    await page.route(api, async (route) => {
      if (!unreachable) return route.continue();
      refused += 1;
      return route.abort('connectionrefused');
    });
    try {
      await page.goto(`${(restarted ?? bed.ui).url}runs/${id}`);
      await page.getByTestId('connection').getByText('Lost touch with council ui').waitFor();
      await waitFor('a second look at the run', () => refused >= 2);
      unreachable = false;
      await page.getByTestId('status').getByText('session').waitFor();
      expect(await page.getByTestId('error').count()).toBe(0);
    } finally {
      await page.unroute(api);
      await session.close();
    }
  });
});
