import { MultiParticipantSession } from '../../client/api/session';
import { transcriptQuery } from '../../common/sessionApi';
import { CouncilUserError } from '../../common/userError';
import { answerAsParticipants } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;

// transcript(-1), (2.5), (NaN) and ('x') were sent as they were: the workflow read them as 0 or as
// past the end, so a mistake came back as the whole transcript, part of it, or none.
describe("a session's transcript from an index", () => {
  const asked: unknown[] = [];
  const session = Object.create(MultiParticipantSession.prototype) as MultiParticipantSession;
  Object.assign(session, {
    openedHandle: {
      query: (_query: unknown, options: unknown) => (asked.push(options), Promise.resolve([])),
    },
    checkOpen: () => undefined,
  });

  it('refuses an index that is no whole number from 0, saying what it got, and asks nothing', async () => {
    for (const [index, shown] of [
      [-1, '-1'],
      [2.5, '2.5'],
      [Number.NaN, 'NaN'],
      ['x', '"x"'],
    ] as const) {
      await expect(session.transcript(index as number)).rejects.toThrow(
        new CouncilUserError(`fromIndex must be a whole number from 0 (an entry's index): got ${shown}`),
      );
    }
    expect(asked).toEqual([]);
  });

  it('asks from the index given, or from the start', async () => {
    await session.transcript(3);
    await session.transcript();
    expect(asked).toEqual([{ fromIndex: 3 }, { fromIndex: 0 }]);
  });
});

// The workflow's own query checks the request too: a caller of its query (a client of its own, the
// Web UI) got the whole transcript for -1 or 2.5.
describe("a session's transcript query, asked of the workflow itself", () => {
  const bench = useMockHarness('transcript-index', (mock) => answerAsParticipants(mock));

  it('refuses an index that is no whole number from 0, and reads from a good one', async () => {
    const session = await MultiParticipantSession.create(
      bench.harness.client,
      { strategy: 'broadcast', participants: [{ name: 'Ada', role: 'panelist', model }] },
      { taskQueue: bench.harness.taskQueue },
    );
    await session.sendMessage('user', 'One?');
    const handle = bench.harness.client.workflow.getHandle(session.sessionId);
    for (const fromIndex of [-1, 2.5]) {
      await expect(handle.query(transcriptQuery, { fromIndex })).rejects.toThrow(
        /invalid transcript request: fromIndex: /,
      );
    }
    expect((await handle.query(transcriptQuery, { fromIndex: 1 })).map((e) => e.from)).toEqual(['Ada']);
    await session.close();
  });
});
