import { Client } from '@temporalio/client';
import { startCouncil } from '../../client/api/council';
import { runView } from '../../client/ui/runView';
import { council, expert, scriptedCouncil } from '../council/support';
import { useMockHarness } from '../helpers/mockHarness';

// The run page is polled: a council's record (its config's experts, which a run never changes) is
// queried once per run, and the page reads the same from then on. Counted on the real dev server,
// by a client interceptor on the queries the page's client sends.
describe('the council page of a polled run', () => {
  const bench = useMockHarness('ui-council-record', (mock) => scriptedCouncil(mock));

  it('queries the council record once per run, and draws the same page', async () => {
    const { client: harnessClient, taskQueue, dataConverter } = bench.harness;
    const queries: string[] = [];
    const client = new Client({
      connection: harnessClient.connection,
      namespace: harnessClient.options.namespace,
      ...(dataConverter && { dataConverter }),
      interceptors: {
        workflow: [
          {
            query: (input, next) => {
              queries.push(input.queryType);
              return next(input);
            },
          },
        ],
      },
    });
    const id = await startCouncil(harnessClient, council('parallel', [expert('a'), expert('b')]), {
      taskQueue,
    });
    await harnessClient.workflow.getHandle(id).result();
    const first = await runView(client, id, async () => undefined);
    const second = await runView(client, id, async () => undefined);
    expect(second).toEqual(first);
    expect(first.participants.map((p) => p.id)).toEqual(['a', 'b', 'Synthesizer']);
    expect(queries.filter((type) => type === 'councilRecord')).toEqual(['councilRecord']);
    expect(queries.filter((type) => type === 'councilProgress')).toHaveLength(2);
  });
});
