import type { Expert } from '../../common/council';
import { MAX_SHOWN_IDS_IN_RESULT, ShownLog } from '../../workflows/council/shownLog';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const experts: Expert[] = Array.from({ length: 32 }, (_, i) => ({ id: `e${i}`, name: `E${i}`, model }));
const ids = (round: number, count: number) => Array.from({ length: count }, (_, i) => `r${round}-m${i}`);

describe("ShownLog: the result's record of what each expert was shown", () => {
  it('keeps every view of a small council whole, the latest turn as the top-level ids', () => {
    const log = new ShownLog();
    const first = log.shown('e0', 1, 'answer', []);
    first.answerId = 'r1-a';
    log.shown('e0', 2, 'critique', ['r1-a', 'r1-b']);
    const refs = log.refs(experts.slice(0, 2));
    expect(refs.e0).toEqual({
      messageIds: ['r1-a', 'r1-b'],
      round: 2,
      showIds: false,
      turns: [
        { round: 1, phase: 'answer', messageIds: [], answerId: 'r1-a' },
        { round: 2, phase: 'critique', messageIds: ['r1-a', 'r1-b'] },
      ],
    });
    expect(refs.e1).toEqual({ messageIds: [], round: 0, showIds: false, turns: [] });
  });

  it('past its budget leaves out the ids of the oldest turns, with their count, keeping the newest whole', () => {
    const log = new ShownLog();
    // 32 experts, 40 rounds each, 500 ids a view: 640,000 ids, far past the budget.
    for (let round = 1; round <= 40; round += 1)
      for (const expert of experts) log.shown(expert.id, round, 'answer', ids(round, 500));
    const refs = Object.values(log.refs(experts));
    const stored = refs.reduce(
      (sum, ref) =>
        sum + ref.messageIds.length + (ref.turns ?? []).reduce((n, t) => n + t.messageIds.length, 0),
      0,
    );
    expect(stored).toBeLessThanOrEqual(MAX_SHOWN_IDS_IN_RESULT);
    // Newest first: no turn kept whole is older than one left out, and one left out says its count.
    const turns = refs.flatMap((ref) => ref.turns ?? []);
    const whole = turns.filter((turn) => turn.idsLeftOut === undefined);
    const leftOut = turns.filter((turn) => turn.idsLeftOut !== undefined);
    expect(whole.length).toBeGreaterThan(0);
    expect(Math.min(...whole.map((t) => t.round))).toBeGreaterThanOrEqual(
      Math.max(...leftOut.map((t) => t.round)),
    );
    for (const turn of whole) expect(turn.messageIds).toHaveLength(500);
    for (const turn of leftOut) expect(turn).toMatchObject({ messageIds: [], idsLeftOut: 500 });
  });
});
