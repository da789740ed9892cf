import { MultiParticipantSession } from '../../client/api/session';
import { CouncilUserError } from '../../common/userError';

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
