import { validateConfig } from '../../client/api/config';
import { CouncilUserError } from '../../common/userError';

const participant = {
  name: 'A',
  role: 'panelist',
  model: { provider: 'openai', model: 'gpt-4o-mini', price: { inputPerMTok: 0, outputPerMTok: 1000 } },
  maxOutputTokens: 1000,
};

function problem(raw: unknown): string {
  try {
    validateConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(CouncilUserError);
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('periodBudget in a config file', () => {
  it('a session config keeps it, apart from the session itself', () => {
    const config = validateConfig({
      strategy: 'broadcast',
      budget: { maxCostUsd: 1 },
      periodBudget: { period: 'day', maxCostUsd: 5 },
      participants: [participant],
    });
    expect(config).toMatchObject({ kind: 'session', periodBudget: { period: 'day', maxCostUsd: 5 } });
    expect(config.kind === 'session' && 'periodBudget' in config.session).toBe(false);
  });

  it('needs a per-run budget in each unit it limits, and no ask', () => {
    const base = { strategy: 'broadcast', participants: [participant] };
    expect(problem({ ...base, periodBudget: { period: 'day', maxCostUsd: 5 } })).toMatch(
      /periodBudget: a periodBudget needs a per-run budget/,
    );
    expect(
      problem({ ...base, budget: { maxTokens: 10_000 }, periodBudget: { period: 'week', maxCostUsd: 5 } }),
    ).toMatch(/periodBudget.maxCostUsd needs budget.maxCostUsd/);
    expect(
      problem({
        ...base,
        budget: { maxCostUsd: 1, onExhausted: 'ask' },
        periodBudget: { period: 'day', maxCostUsd: 5 },
      }),
    ).toMatch(/onExhausted stop or downgrade/);
  });

  it('names a wrong period and an empty budget', () => {
    const base = { strategy: 'broadcast', budget: { maxCostUsd: 1 }, participants: [participant] };
    expect(problem({ ...base, periodBudget: { period: 'month', maxCostUsd: 5 } })).toMatch(
      /periodBudget.period.*"day" or "week"/,
    );
    expect(problem({ ...base, periodBudget: { period: 'day' } })).toMatch(
      /needs maxTokens and\/or maxCostUsd/,
    );
  });

  it('a council config keeps it apart from the context, and needs a per-run budget beside it', () => {
    const expert = { model: participant.model, maxOutputTokens: 1000 };
    const council = {
      kind: 'council',
      mode: 'parallel',
      periodBudget: { period: 'week', maxCostUsd: 5 },
      activeExperts: [
        { id: 'a', name: 'Ada', ...expert },
        { id: 'b', name: 'Bob', ...expert },
      ],
      synthesisConfig: { name: 'Synthesizer', ...expert },
    };
    const config = validateConfig({ ...council, budget: { maxCostUsd: 1 } });
    expect(config).toMatchObject({ kind: 'council', periodBudget: { period: 'week', maxCostUsd: 5 } });
    expect(config.kind === 'council' && 'periodBudget' in config.context).toBe(false);
    expect(problem(council)).toMatch(/periodBudget: a periodBudget needs a per-run budget/);
    expect(problem({ ...council, budget: { maxTokens: 10_000 } })).toMatch(
      /periodBudget.maxCostUsd needs budget.maxCostUsd/,
    );
  });
});
