import type { ChatCompletionRequest } from '@copilotkit/aimock';
import { startCouncil } from '../../client/api/council';
import { readCouncilProgress } from '../../client/api/councilRead';
import { council, expert } from '../council/support';
import { speakerOf } from '../helpers/mockLlm';
import { waitFor } from '../helpers/wait';
import { openBrowserPage, startUiTestBed, type BrowserPage, type UiTestBed } from './support';

// A sequential council's page names every expert of its config from the start: the later experts,
// which have not begun, have their tabs (pending), in config order, under the names they run with.
const slow = Array.from({ length: 150 }, (_, i) => `first${i}`).join(' ') + '.';
const speaking = (name: string) => (request: ChatCompletionRequest) => speakerOf({ body: request }) === name;

describe('council ui tabs of a sequential council', () => {
  let bed: UiTestBed;
  let browser: BrowserPage;
  const id = `ui-council-tabs-${Date.now()}`;

  beforeAll(async () => {
    // The first expert writes for about 12 s (a chunk every 80 ms): the others wait their turn meanwhile.
    bed = await startUiTestBed('ui-council-tabs', (mock) => {
      mock.on({ predicate: speaking('First') }, { content: slow }, { chunkSize: 9, latency: 80 });
    });
    browser = await openBrowserPage(bed.ui);
  });
  afterAll(async () => {
    await browser?.close();
    await bed?.close();
  });

  const expertTabs = async () =>
    (await browser.page.getByRole('tab').allTextContents()).filter((name) => name !== 'All rounds');
  const begun = async () =>
    (await readCouncilProgress(bed.harness.client, id)).events.flatMap((e) =>
      e.kind === 'expert' ? [e.expertName] : [],
    );

  it('shows every expert of the config as a tab before its turn, in config order', async () => {
    const experts = [
      expert('z', { name: 'First' }),
      expert('a', { name: 'Second' }),
      expert('m', { name: 'Third' }),
    ];
    await startCouncil(bed.harness.client, council('sequential', experts), {
      taskQueue: bed.harness.taskQueue,
      councilId: id,
    });
    await browser.page.goto(`${bed.ui.url}runs/${id}`);
    await waitFor('the first expert thinking', async () => (await begun()).includes('First'), 30_000, 200);
    await waitFor(
      'a tab for every expert while only the first has begun',
      async () => {
        const started = new Set(await begun());
        if (started.has('Second') || started.has('Third'))
          throw new Error('a later expert began before its tab showed');
        return (await expertTabs()).length === 3;
      },
      30_000,
      200,
    );
    expect(await expertTabs()).toEqual(['First', 'Second', 'Third']);
    const pendingTabs = () => browser.page.locator('[role="tab"].pending').allTextContents();
    await expect(pendingTabs()).resolves.toEqual(['Second', 'Third']);
    await browser.shot('council-tabs-pending');

    // The names stay as they were once the others run: no tab is added, none renamed.
    await bed.harness.client.workflow.getHandle(id).result();
    await browser.page.getByText(/^council · completed/).waitFor({ timeout: 30_000 });
    expect((await expertTabs()).slice(0, 3)).toEqual(['First', 'Second', 'Third']);
    await expect(pendingTabs()).resolves.toEqual([]);
    expect(bed.logged).toEqual([]);
  });
});
