import { councilContextSchema, type ExpertMessageData } from '../../common/council';
import { LIMITS } from '../../common/defaults';
import { jsonStringBytes } from '../../common/size';
import {
  fitHistory,
  formatHistory,
  shortenHistory,
  type HistoryFormat,
} from '../../workflows/council/history';
import { COUNCIL_RUN_LIMITS, turnShares, turnsOf } from '../../workflows/council/turnShares';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const contextOf = (experts: number, extra: Record<string, unknown> = {}) =>
  councilContextSchema.parse({
    task: 'Four-day week?',
    mode: 'adversarial',
    debateRounds: 20,
    activeExperts: Array.from({ length: experts }, (_, i) => ({ id: `e${i}`, name: `E${i}`, model })),
    synthesisConfig: { model },
    ...extra,
  });

describe("a council run's turns share its history and answer budgets", () => {
  it.each([
    ['2 experts, one round', 2, { mode: 'parallel', debateRounds: undefined }],
    ['4 experts, 20 phased rounds', 4, {}],
    [
      '32 experts, one round, hedged',
      32,
      { mode: 'parallel', debateRounds: undefined, hedge: { afterMs: 1000, backup: { model } } },
    ],
    ['32 experts, 20 phased rounds', 32, {}],
  ])(
    '%s: every turn within its share keeps the run and each round inside the limits',
    (_, experts, extra) => {
      const context = contextOf(experts, extra);
      const hedged = context.hedge ? 2 : 1;
      const calls = experts * hedged * turnsOf(context);
      const shares = turnShares(context);
      expect(shares.promptBytes * calls).toBeLessThanOrEqual(COUNCIL_RUN_LIMITS.promptBytes);
      expect(shares.answerBytes * calls).toBeLessThanOrEqual(COUNCIL_RUN_LIMITS.answerBytes);
      expect(shares.answerBytes * experts * hedged).toBeLessThanOrEqual(LIMITS.maxRoundAnswerBytes);
      expect(shares.answerBytes).toBeGreaterThanOrEqual(COUNCIL_RUN_LIMITS.minAnswerBytes);
    },
  );
});

describe('fitHistory: a turn shown within its share', () => {
  const format: HistoryFormat = { nameOf: (id) => id.toUpperCase(), showIds: true };
  const message = (i: number, content: string): ExpertMessageData => ({
    id: `m${i}`,
    sender: `e${i % 3}`,
    senderName: `E${i % 3}`,
    content,
    type: 'response',
    timestamp: '2026-12-05T00:00:00.000Z',
  });
  const messages = Array.from({ length: 40 }, (_, i) => message(i, `${i} ${'evidence '.repeat(1000)}`));

  it('leaves a history that fits as it is', () => {
    const whole = formatHistory(messages, format);
    expect(fitHistory(messages, format, jsonStringBytes(whole))).toEqual({
      messages,
      text: whole,
      cut: false,
    });
  });

  it('shortens every message to a fair share, with a notice, within the share', () => {
    const fitted = fitHistory(messages, format, 100_000);
    expect(fitted.cut).toBe(true);
    expect(fitted.messages.map((m) => m.id)).toEqual(messages.map((m) => m.id));
    expect(jsonStringBytes(fitted.text)).toBeLessThanOrEqual(100_000);
    expect(fitted.text).toContain("a council's prompts share a bounded history");
    // The same messages and share give the same text: a reader shows what the prompt held.
    expect(fitHistory(messages, format, 100_000)).toEqual(fitted);
  });

  it('leaves the oldest messages out when the share cannot hold a notice for each, urgent unread ones last', () => {
    const urgent = { ...format, firstIds: new Set(['m0']) };
    const fitted = fitHistory(messages, urgent, 8_000);
    expect(fitted.messages.length).toBeLessThan(messages.length);
    expect(fitted.messages[0]?.id).toBe('m0');
    expect(fitted.messages.at(-1)?.id).toBe('m39');
    expect(jsonStringBytes(fitted.text)).toBeLessThanOrEqual(8_000);
  });

  it('a reader given the kept messages and the budget gets the very text the prompt held', () => {
    // Four messages of ~500 bytes at 1000: some leave, and the kept ones alone would fit the budget.
    const few = Array.from({ length: 4 }, (_, i) => message(i, `${i} ${'x'.repeat(500)}`));
    let fittedCases = 0;
    for (const budget of [600, 1000, 1500, 2500]) {
      const fitted = fitHistory(few, format, budget);
      if (!fitted.cut) continue;
      fittedCases += 1;
      const kept = few.filter((m) => fitted.messages.some((k) => k.id === m.id));
      expect(shortenHistory(kept, format, budget).text).toBe(fitted.text);
    }
    expect(fittedCases).toBeGreaterThanOrEqual(2);
  });
});
