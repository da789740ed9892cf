import { appendBounded, readPage, type OffsetLogState } from '../../workflows/shared/offsetLog';

// The bounded, offset-addressed log sessions carry (and councils page through), without a server.
describe('offset log', () => {
  const filled = (count: number, max: number): OffsetLogState<number> => {
    const log: OffsetLogState<number> = { dropped: 0, events: [] };
    for (let i = 0; i < count; i += 1) appendBounded(log, i, max);
    return log;
  };

  it('keeps the newest events and counts the dropped ones, so each keeps its index', () => {
    const log = filled(10, 4);
    expect(log).toEqual({ dropped: 6, events: [6, 7, 8, 9] });
    expect(readPage(log, { fromEvent: 7 }, 100)).toEqual({
      events: [7, 8, 9],
      nextEvent: 10,
      totalEvents: 10,
      firstEvent: 6,
    });
  });

  it('starts a read from before the log at its oldest event, and says where that is', () => {
    const page = readPage(filled(10, 4), { fromEvent: 2 }, 100);
    expect(page).toMatchObject({ events: [6, 7, 8, 9], nextEvent: 10, firstEvent: 6 });
  });

  it('pages at most maxPage events, and a reader past the end gets none', () => {
    const log = filled(5, 100);
    expect(readPage(log, { maxEvents: 1000 }, 2)).toMatchObject({ events: [0, 1], nextEvent: 2 });
    expect(readPage(log, { fromEvent: 1, maxEvents: 0 }, 2)).toMatchObject({ events: [1], nextEvent: 2 });
    expect(readPage(log, { fromEvent: 5 }, 2)).toMatchObject({ events: [], nextEvent: 5, totalEvents: 5 });
  });
});
