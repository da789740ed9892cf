import { COUNCIL_PROGRESS_LIMITS } from '../../common/councilApi';
import { councilContextSchema } from '../../common/council';
import { jsonBytes } from '../../common/size';
import { CouncilLedger } from '../../workflows/council/ledger';
import { createExpertMessage } from '../../workflows/council/messages';
import { council, expert } from './support';

// The council's progress log holds its newest events only, by count and by bytes, and keeps every
// event's `seq`: a reader from an old offset is told where the held events start.
function ledger() {
  let n = 0;
  const context = councilContextSchema.parse({
    ...council('parallel', [expert('a'), expert('b')]),
    enableMessaging: true,
  });
  const clock = {
    stamp: () => ({ id: `m${++n}`, timestamp: '2026-02-02T00:00:00.000Z' }),
    now: () => '2026-02-02T00:00:00.000Z',
  };
  return new CouncilLedger(context, clock, () => undefined);
}

describe('council progress log bound', () => {
  it('keeps the newest events past the count, each with its seq, and pages from an old offset', () => {
    const log = ledger();
    const logged = COUNCIL_PROGRESS_LIMITS.maxEvents + 40;
    for (let i = 0; i < logged; i += 1) {
      log.addMessage(createExpertMessage(log.stamp(), 'a', 'Expert A', `note ${i}`));
    }
    expect(log.events).toHaveLength(COUNCIL_PROGRESS_LIMITS.maxEvents);
    expect(log.events[0]?.seq).toBe(40);
    expect(log.events.at(-1)?.seq).toBe(logged - 1);

    const old = log.progress({ fromEvent: 3, maxEvents: 5 });
    expect(old.firstEvent).toBe(40);
    expect(old.events.map((e) => e.seq)).toEqual([40, 41, 42, 43, 44]);
    expect([old.nextEvent, old.totalEvents]).toEqual([45, logged]);
    expect(old.messages.map((m) => m.content)).toEqual([
      'note 40',
      'note 41',
      'note 42',
      'note 43',
      'note 44',
    ]);

    const tail = log.progress({ fromEvent: logged - 1 });
    expect(tail.events.map((e) => e.seq)).toEqual([logged - 1]);
    expect(tail.firstEvent).toBe(40);
  });

  it('keeps the events within their byte budget, and the newest whatever its size', () => {
    const log = ledger();
    const detail = 'x'.repeat(10_000);
    const count = Math.ceil(COUNCIL_PROGRESS_LIMITS.maxBytes / detail.length) + 10;
    for (let i = 0; i < count; i += 1) log.setStatus('running', `${i} ${detail}`);
    const held = log.events.reduce((sum, e) => sum + jsonBytes(e), 0);
    expect(held).toBeLessThanOrEqual(COUNCIL_PROGRESS_LIMITS.maxBytes);
    expect(log.events.length).toBeLessThan(count);
    expect(log.progress({}).firstEvent).toBe(count - log.events.length);

    log.setStatus('running', 'y'.repeat(COUNCIL_PROGRESS_LIMITS.maxBytes + 10));
    expect(log.events.map((e) => e.seq)).toEqual([count]);
  });
});
