import { promptTokens } from '../../activities/trimHistory';
import {
  budgetProblems,
  budgetSchema,
  emptyLedger,
  promptTokenBound,
  type Budget,
} from '../../common/budget';
import type { ChatMessage, LlmResponse } from '../../common/llm';
import { PRICE_TABLE, priceOf, priceSchema } from '../../common/prices';
import { BudgetGate, type BudgetHold } from '../../workflows/shared/budget';
import type { ModelCaller } from '../../workflows/shared/callModel';

const priced = {
  provider: 'openai-compatible',
  model: 'local',
  baseURL: 'http://x',
  price: { inputPerMTok: 0, outputPerMTok: 1000 },
} as const;
const caller = (name: string, extra: Partial<ModelCaller> = {}): ModelCaller => ({
  name,
  model: priced,
  maxOutputTokens: 1000,
  retry: { maximumAttempts: 1 },
  ...extra,
});
const site = (participant: string) => ({ round: 1, phase: 'answer', participant });
const messages: ChatMessage[] = [{ role: 'user', content: 'hello' }];
const ok = (inputTokens: number, outputTokens: number, attempt?: number) =>
  ({
    status: 'ok',
    response: {
      content: 'x',
      tokenUsage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
      stopReason: 'stop',
      truncated: false,
      model: 'local',
      droppedMessages: 0,
      ...(attempt && { attempt }),
    } satisfies LlmResponse,
  }) as const;

describe('price table', () => {
  it('holds only rows the price schema accepts (the table is a data file, common/priceTable.json)', () => {
    const rows = Object.values(PRICE_TABLE).flatMap((models) => Object.entries(models));
    expect(rows.length).toBeGreaterThan(10);
    for (const [model, price] of rows)
      expect([model, priceSchema.safeParse(price).success]).toEqual([model, true]);
  });

  it('finds shipped prices by exact id, lets config override them, and knows no other model', () => {
    expect(priceOf({ provider: 'openai', model: 'gpt-4o-mini' })).toEqual(PRICE_TABLE.openai['gpt-4o-mini']);
    expect(priceOf({ provider: 'anthropic', model: 'claude-haiku-4-5' })?.outputPerMTok).toBe(5);
    const override = { inputPerMTok: 1, outputPerMTok: 2 };
    expect(priceOf({ provider: 'openai', model: 'gpt-4o-mini', price: override })).toBe(override);
    expect(priceOf({ provider: 'openai', model: 'gpt-4o-2024-05-13' })).toBeUndefined();
    expect(priceOf({ provider: 'openai', model: 'constructor' })).toBeUndefined();
    expect(priceOf({ provider: 'openai-compatible', model: 'gpt-4o-mini' })).toBeUndefined();
  });

  it('makes an unpriced model under a money budget, or a call with no output cap, a config problem', () => {
    const money = budgetSchema.parse({ maxCostUsd: 1 });
    const unknown = { provider: 'openai', model: 'my-finetune' };
    expect(budgetProblems(money, [{ name: 'A', model: unknown, maxOutputTokens: 10 }])).toEqual([
      expect.stringContaining("A's model openai/my-finetune has no known price"),
    ]);
    expect(
      budgetProblems(budgetSchema.parse({ maxTokens: 100 }), [
        { name: 'A', model: unknown, maxOutputTokens: 10 },
      ]),
    ).toEqual([]);
    expect(
      budgetProblems(money, [
        {
          name: 'A',
          model: { ...unknown, price: { inputPerMTok: 1, outputPerMTok: 1 } },
          maxOutputTokens: 10,
        },
      ]),
    ).toEqual([]);
    expect(budgetProblems(money, [{ name: 'B', model: { provider: 'openai', model: 'gpt-4o' } }])).toEqual([
      expect.stringContaining('B has no maxOutputTokens'),
    ]);
    expect(budgetProblems(undefined, [{ name: 'B', model: unknown }])).toEqual([]);
    expect(budgetSchema.safeParse({ onExhausted: 'stop' }).success).toBe(false);
  });

  it('bounds a prompt from above: never fewer tokens than the tokenizer counts', () => {
    for (const text of [
      'hello',
      'naïve café ☕ 日本語のテキスト',
      'x'.repeat(5000),
      '{"a": [1, 2, 3]}\n'.repeat(40),
    ]) {
      const prompt: ChatMessage[] = [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: text },
      ];
      expect(promptTokenBound(prompt)).toBeGreaterThanOrEqual(promptTokens(prompt));
    }
  });
});

describe('budget ledger', () => {
  const budget: Budget = budgetSchema.parse({ maxCostUsd: 3.5 });

  it('admits a fan-out only as far as its worst cases fit, and refuses the rest before they are sent', () => {
    const gate = new BudgetGate(budget, emptyLedger());
    const holds = ['A', 'B', 'C', 'D', 'E'].map((name) => gate.reserve(caller(name), messages, site(name)));
    // Each call may cost 1000 output tokens at $1000/MTok = $1: three fit in $3.50.
    expect(holds.map((hold) => typeof hold)).toEqual(['object', 'object', 'object', 'string', 'string']);
    expect(holds[3]).toContain('D was refused by the budget');
    expect(gate.ledger.reserved.usd).toBeCloseTo(3);
    expect(gate.ledger).toMatchObject({ exhausted: true, refusedCount: 2 });
    expect(gate.ledger.refused.map((r) => r.participant)).toEqual(['D', 'E']);
  });

  it('under downgrade, sends what does not fit to the cheaper model from then on, and refuses what fits on neither', () => {
    const cheap = { ...priced, model: 'cheap', price: { inputPerMTok: 0, outputPerMTok: 100 } };
    const downgrading = budgetSchema.parse({
      maxCostUsd: 2.15,
      onExhausted: 'downgrade',
      downgradeTo: cheap,
    });
    const gate = new BudgetGate(downgrading, emptyLedger(), cheap);
    const holds = ['A', 'B', 'C', 'D'].map((name) => gate.reserve(caller(name), messages, site(name)));
    // $1 each on the dear model, $0.1 on the cheap one: A, B dear, C cheap, D fits on neither.
    expect(
      holds.map((hold) => (typeof hold === 'string' ? 'refused' : (hold.downgradedTo?.model ?? 'own'))),
    ).toEqual(['own', 'own', 'cheap', 'refused']);
    expect(holds[3]).toContain('on openai-compatible/cheap');
    expect(gate.ledger).toMatchObject({ exhausted: true, downgraded: true, refusedCount: 1 });
    expect(gate.ledger.reserved.usd).toBeCloseTo(2.1);
    // The same budget without the patch's model (a round before `budget-downgrade`) only refuses.
    const plain = new BudgetGate(downgrading, emptyLedger());
    const old = ['A', 'B', 'C'].map((name) => typeof plain.reserve(caller(name), messages, site(name)));
    expect(old).toEqual(['object', 'object', 'string']);
    expect(budgetSchema.safeParse({ maxCostUsd: 1, onExhausted: 'downgrade' }).success).toBe(false);
    expect(budgetSchema.safeParse({ maxCostUsd: 1, downgradeTo: cheap }).success).toBe(false);
  });

  it('replaces a reservation with the usage reported, and counts a failure or earlier attempts conservatively', () => {
    const gate = new BudgetGate(budget, emptyLedger());
    const a = gate.reserve(caller('A'), messages, site('A')) as BudgetHold;
    const b = gate.reserve(
      caller('B', { retry: { maximumAttempts: 2 }, maxOutputTokens: 500 }),
      messages,
      site('B'),
    ) as BudgetHold;
    const c = gate.reserve(caller('C', { maxOutputTokens: 100 }), messages, site('C')) as BudgetHold;
    expect(gate.settle(a, ok(10, 5)).usd).toBeCloseTo(0.005);
    // B answered on its second attempt: the first is charged its worst case ($0.50 of output).
    expect(gate.settle(b, ok(10, 5, 2)).usd).toBeCloseTo(0.5 + 0.005);
    expect(
      gate.settle(c, { status: 'failed', error: { type: 'ProviderServerError', message: 'boom' } }).usd,
    ).toBeCloseTo(0.1);
    expect(gate.ledger.reserved).toEqual({ tokens: 0, usd: 0 });
    expect(gate.ledger.spent.usd).toBeCloseTo(0.005 + 0.505 + 0.1);
    expect(gate.ledger.exhausted).toBe(false);
  });

  it('limits tokens as well as money, input and output together', () => {
    const gate = new BudgetGate(budgetSchema.parse({ maxTokens: 2100 }), emptyLedger());
    const first = gate.reserve(caller('A'), messages, site('A')) as BudgetHold;
    expect(first.reserved.tokens).toBe(1000 + promptTokenBound(messages));
    expect(typeof gate.reserve(caller('B'), messages, site('B'))).toBe('object');
    expect(typeof gate.reserve(caller('C'), messages, site('C'))).toBe('string');
  });
});
