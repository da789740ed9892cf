import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { executeCouncilExperts } from '../../client/api/council';
import type { CouncilExpert } from '../../client/api/councilTypes';
import { councilContextSchema } from '../../common/council';
import { councilProgressQuery } from '../../common/councilApi';
import { FailureType } from '../../common/failures';
import { CouncilCostUsdKey } from '../../common/searchAttributes';
import { zodProblem } from '../../common/validation';
import { chatRequests, mockClients, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { council } from '../council/support';
import { cheapModel, dearModel } from '../helpers/pricedModels';

/** Output only is billed: a 1000-token call's worst case is $1 on the dear model, $0.1 on the cheap one. */
const [dear, cheap] = [dearModel, cheapModel];
/** Output tokens the mock reports for every answer (a test may raise it so that spend adds up). */
let outputTokens = 5;
/** A line the mock adds to each answer, by speaker (a debate's stance); none unless a test sets it. */
let stanceLine: (speaker: string) => string = () => '';

const bounded = { model: dear, maxOutputTokens: 1000, retry: { maximumAttempts: 1 } };
const experts: CouncilExpert[] = ['e1', 'e2', 'e3'].map((id) => ({ id, name: `Expert ${id}`, ...bounded }));
const synthesisConfig = { name: 'Synthesizer', ...bounded };

describe('council budgets on the real dev server, LLM served by aimock', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;

  beforeAll(async () => {
    mock = await startMockLlm();
    mock.on({ predicate: () => true }, (request) => {
      const speaker = speakerOf({ body: request }) ?? 'unknown';
      const content = `${speaker}: answer${stanceLine(speaker)}`;
      return { content, usage: { prompt_tokens: 7, completion_tokens: outputTokens } };
    });
    harness = await startHarness('budget-council', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });
  beforeEach(() => {
    mock.clearRequests();
    outputTokens = 5;
    stanceLine = () => '';
  });

  /** Each request's speaker and model, from the mock's journal, sorted (a fan-out's order varies). */
  const journal = () =>
    chatRequests(mock)
      .map((entry) => `${speakerOf(entry)}:${(entry.body as { model: string }).model}`)
      .sort();
  const speakersInOrder = () => chatRequests(mock).map((entry) => speakerOf(entry));
  /** What the journal's calls cost at their model's price (input is free here). */
  const journalUsd = () =>
    chatRequests(mock).reduce((sum, entry) => {
      const perMTok = (entry.body as { model: string }).model === dear.model ? 1000 : 100;
      return sum + (outputTokens * perMTok) / 1e6;
    }, 0);
  /** The details of the council's status changes, as a follower heard them. */
  let details: string[] = [];
  const run = (budget: Record<string, unknown>, extra: Record<string, unknown> = { mode: 'parallel' }) => {
    details = [];
    return executeCouncilExperts(
      harness.client,
      { ...council('parallel', experts, { synthesisConfig, budget } as never), ...extra },
      undefined,
      (_status, update) => void details.push(update.detail),
      { taskQueue: harness.taskQueue },
    );
  };

  it('stop: the fan-out reserves for all its calls at once, refuses what does not fit, and keeps what was answered', async () => {
    const result = await run({ maxCostUsd: 2.5, onExhausted: 'stop' });

    // e1 and e2 hold $2 together before either is answered: e3's $1 never fits, and is never sent.
    expect(journal()).toEqual(['Expert e1:gpt-4o', 'Expert e2:gpt-4o']);
    expect(result.outputs.e1).toMatchObject({ status: 'done', content: 'Expert e1: answer' });
    expect(result.outputs.e2).toMatchObject({ status: 'done', content: 'Expert e2: answer' });
    expect(result.outputs.e3).toMatchObject({
      status: 'failed',
      error: { type: FailureType.BudgetExhausted },
    });
    expect(result.outputs.e3?.error?.message).toContain('was refused by the budget');
    // A spent budget refuses the synthesis too: the run ends, saying why.
    expect(result.synthesis).toMatchObject({
      status: 'failed',
      error: { type: FailureType.BudgetExhausted },
    });
    expect(result.synthesis.error?.message).toMatch(
      /^Synthesizer was refused by the budget: an earlier call did not fit, which ends its calls; \d+ tokens, \$0\.010000 spent, limit \$2\.5$/,
    );
    expect(result.budget).toMatchObject({
      limit: { maxCostUsd: 2.5 },
      exhausted: true,
      reserved: { tokens: 0, usd: 0 },
      refusedCount: 2,
      refused: [
        expect.objectContaining({ participant: 'e3', phase: 'answer' }),
        expect.objectContaining({ participant: 'Synthesizer', phase: 'synthesis' }),
      ],
    });
    expect(result.budget?.spent.usd).toBeCloseTo(journalUsd(), 9);
    expect(result.budget?.spent.usd).toBeLessThanOrEqual(2.5);
    // Its spend is the CouncilCostUsd search attribute, as a session's is: `list --min-cost-usd` finds it.
    const described = await harness.client.workflow.getHandle(result.councilId).describe();
    expect(described.typedSearchAttributes.get(CouncilCostUsdKey)).toBeCloseTo(journalUsd(), 9);
    expect(details.at(-1)).toMatch(
      /^1 of 3 experts failed; no conclusion: the synthesis failed \(BudgetExhausted\); budget exhausted: 2 call\(s\) refused after \$0\.010000 and \d+ tokens spent$/,
    );
  });

  it('stop: an expert whose turn comes after the budget is spent is skipped for it, not an empty answer', async () => {
    // e1's $1 fits; e2's does not beside what e1 spent, which exhausts the budget before e3's turn.
    for (const mode of ['sequential', 'parallel']) {
      mock.clearRequests();
      const result = await run({ maxCostUsd: 1, onExhausted: 'stop' }, { mode });
      expect(journal()).toEqual(['Expert e1:gpt-4o']);
      expect(result.outputs.e2).toMatchObject({
        status: 'failed',
        error: { type: FailureType.BudgetExhausted },
      });
      expect(result.outputs.e3).toMatchObject({
        status: 'skipped',
        content: '',
        error: { type: FailureType.BudgetExhausted },
      });
      expect(result.outputs.e3?.error?.message).toBe(
        "Expert e3 was not called: the council's budget was exhausted before its turn",
      );
    }
  });

  it('stop in a debate: calls one after another spend for real, and the first that does not fit ends it', async () => {
    // $0.4 spent a call, $1 reserved: the fourth call (Expert e2's critique) would pass $1.9.
    outputTokens = 400;
    const debaters = experts.slice(0, 2);
    const result = await run(
      { maxCostUsd: 1.9 },
      { mode: 'adversarial', activeExperts: debaters, debateRounds: 2 },
    );

    expect(speakersInOrder()).toEqual(['Expert e1', 'Expert e2', 'Expert e1']);
    expect(result.outputs.e1).toMatchObject({ status: 'done', content: 'Expert e1: answer' });
    // e2's position is kept; its refused critique marks it failed.
    expect(result.outputs.e2).toMatchObject({
      status: 'failed',
      content: 'Expert e2: answer',
      error: { type: FailureType.BudgetExhausted },
    });
    expect(result.synthesis).toMatchObject({
      status: 'failed',
      error: { type: FailureType.BudgetExhausted },
    });
    // Once spent, no later turn is taken: only e2's critique and the synthesis were refused.
    expect(result.budget).toMatchObject({
      exhausted: true,
      reserved: { tokens: 0, usd: 0 },
      refusedCount: 2,
    });
    expect(result.budget?.refused[0]).toMatchObject({ participant: 'e2', phase: 'critique', round: 2 });
    expect(result.budget?.spent.usd).toBeCloseTo(journalUsd(), 9);
    expect(result.budget?.spent.usd).toBeLessThanOrEqual(1.9);
    // The debate ends with the round that spent it: no empty round 3 and 4 counted, nor begun.
    expect(result.rounds).toBe(2);
    expect(details.filter((detail) => /^round \d+: /.test(detail))).toEqual([
      'round 1: debate round 1 of 2: positions',
      'round 2: debate round 1 of 2: critiques',
    ]);
  });

  // Once spent, the debate read its last positions again each round: the expert left alone agreed
  // with itself, a consensus no round had reached.
  it('stop in a converging debate: the spent budget ends it at the round cap, not a consensus', async () => {
    outputTokens = 400;
    const positions: Record<string, string> = { 'Expert e1': 'build', 'Expert e2': 'buy' };
    stanceLine = (speaker) =>
      `\nSTANCE: ${JSON.stringify({ position: positions[speaker] ?? 'none', confidence: 0.8 })}`;
    const result = await run(
      { maxCostUsd: 1.9 },
      {
        mode: 'adversarial',
        activeExperts: experts.slice(0, 2),
        debateRounds: 3,
        convergence: { threshold: 0.9 },
      },
    );
    expect(speakersInOrder()).toEqual(['Expert e1', 'Expert e2', 'Expert e1']);
    expect(result.budget).toMatchObject({ exhausted: true });
    expect(result.convergence).toMatchObject({ stopReason: 'round-cap', debateRounds: 1, roundsSkipped: 2 });
    expect(result.rounds).toBe(2);
  });

  it('downgrade: the call that does not fit, and every later one, goes to the cheaper model', async () => {
    const result = await run({ maxCostUsd: 2.15, onExhausted: 'downgrade', downgradeTo: cheap });

    expect(journal()).toEqual([
      'Expert e1:gpt-4o',
      'Expert e2:gpt-4o',
      'Expert e3:gpt-4o-mini',
      'Synthesizer:gpt-4o-mini',
    ]);
    expect(result.synthesis).toMatchObject({ status: 'done' });
    expect(result.budget).toMatchObject({ downgraded: true, exhausted: false, refusedCount: 0 });
    expect(result.budget?.spent.usd).toBeCloseTo(journalUsd(), 9);
  });

  it('each call carries its cost and downgrade: per event, summed per expert, and for the synthesis', async () => {
    const result = await run({ maxCostUsd: 2.15, onExhausted: 'downgrade', downgradeTo: cheap });

    // aimock reports 5 output tokens: $0.005 on the dear model, $0.0005 on the cheap one.
    expect(result.outputs.e1?.costUsd).toBeCloseTo(0.005, 9);
    expect(result.outputs.e1?.downgradedTo).toBeUndefined();
    expect(result.outputs.e3?.costUsd).toBeCloseTo(0.0005, 9);
    expect(result.outputs.e3?.downgradedTo).toBe('openai/gpt-4o-mini');
    expect(result.synthesis).toMatchObject({ downgradedTo: 'openai/gpt-4o-mini' });
    expect(result.synthesis.costUsd).toBeCloseTo(0.0005, 9);
    const perExpert = Object.values(result.outputs).reduce((sum, output) => sum + (output.costUsd ?? 0), 0);
    expect(perExpert + (result.synthesis.costUsd ?? 0)).toBeCloseTo(result.budget?.spent.usd ?? -1, 9);
    // Each call's own cost is in its `done` event, as the progress log recorded it.
    const progress = await harness.client.workflow
      .getHandle(result.councilId)
      .query(councilProgressQuery, { fromEvent: 0 });
    const done = progress.events.flatMap((event) =>
      event.kind === 'expert' && event.state === 'done'
        ? [[event.expertId, Number(event.costUsd?.toFixed(9)), event.downgradedTo ?? null]]
        : [],
    );
    expect(done.sort()).toEqual([
      ['e1', 0.005, null],
      ['e2', 0.005, null],
      ['e3', 0.0005, 'openai/gpt-4o-mini'],
    ]);
  });

  it('a council without a budget carries no cost fields', async () => {
    const result = await executeCouncilExperts(
      harness.client,
      council('parallel', experts, { synthesisConfig } as never),
      undefined,
      undefined,
      { taskQueue: harness.taskQueue },
    );
    expect(result.synthesis.status).toBe('done');
    expect(Object.values(result.outputs).some((output) => 'costUsd' in output)).toBe(false);
    expect('costUsd' in result.synthesis).toBe(false);
  });

  it('a council budget needs bounded calls and priced models, and cannot ask', () => {
    const problem = (extra: Record<string, unknown>, who = experts) => {
      const parsed = councilContextSchema.safeParse({
        ...council('parallel', who, { synthesisConfig }),
        ...extra,
      });
      return parsed.success ? undefined : zodProblem(parsed.error);
    };
    expect(problem({ budget: { maxCostUsd: 1 } })).toBeUndefined();
    const unbounded = [{ id: 'e1', name: 'Loose', model: dear }];
    expect(problem({ budget: { maxCostUsd: 1 } }, unbounded)).toContain(
      'Loose has no maxOutputTokens: a budget needs it to bound each call',
    );
    expect(problem({ budget: { maxCostUsd: 1, onExhausted: 'ask' } })).toContain(
      "a council's budget takes onExhausted stop or downgrade",
    );
  });
});
