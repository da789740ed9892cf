import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { FailureType } from '../../common/failures';
import type { RoundResult } from '../../common/session';
import { sendMessageUpdate, sessionViewQuery } from '../../common/sessionApi';
import { MultiParticipantSession } from '../../client/api/session';
import { chatRequests, mockClients, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { DOLLAR_PER_THOUSAND_OUTPUT, pricedMini } from '../helpers/pricedModels';

/** A call's worst case is exactly maxOutputTokens/1000 dollars. */
const price = DOLLAR_PER_THOUSAND_OUTPUT;
const model = pricedMini;
const NAMES = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8'];

describe('budgets on the real dev server, LLM served by aimock', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;
  /** The usage of every answer the mock served (its 500s carry none), to sum against the ledger. */
  const served: Array<{ input: number; output: number }> = [];
  let flakyCalls = 0;

  beforeAll(async () => {
    mock = await startMockLlm();
    mock.on({ predicate: (request) => speakerOf({ body: request }) === 'Flaky' }, () => {
      flakyCalls += 1;
      if (flakyCalls === 1)
        return { error: { message: 'upstream exploded', type: 'server_error' }, status: 500 };
      served.push({ input: 7, output: 9 });
      return { content: 'Flaky: answer', usage: { prompt_tokens: 7, completion_tokens: 9 } };
    });
    mock.on({ predicate: () => true }, (request) => {
      const speaker = speakerOf({ body: request }) ?? 'unknown';
      // Different usage per speaker, so the sum proves which calls were counted.
      const usage = { input: 10 + speaker.length, output: 3 * Number(speaker.slice(1) || 1) };
      served.push(usage);
      return {
        content: `${speaker}: answer`,
        usage: { prompt_tokens: usage.input, completion_tokens: usage.output },
      };
    });
    harness = await startHarness('budget', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });
  beforeEach(() => {
    mock.clearRequests();
    served.length = 0;
  });

  /** Sum of the usage the mock reported in its answers, priced. */
  function servedUsage(): { tokens: number; usd: number } {
    const tokens = served.reduce((sum, usage) => sum + usage.input + usage.output, 0);
    const output = served.reduce((sum, usage) => sum + usage.output, 0);
    return { tokens, usd: (output * price.outputPerMTok) / 1_000_000 };
  }

  it('a broadcast whose budget fits three of eight calls refuses the other five before they are sent', async () => {
    const session = await MultiParticipantSession.create(
      harness.client,
      {
        strategy: 'broadcast',
        budget: { maxCostUsd: 3.5, onExhausted: 'stop' },
        participants: NAMES.map((name) => ({
          name,
          role: 'panelist',
          model,
          maxOutputTokens: 1000,
          retry: { maximumAttempts: 1 },
        })),
      },
      { taskQueue: harness.taskQueue },
    );
    const handle = harness.client.workflow.getHandle(session.sessionId);
    const result: RoundResult = await handle.executeUpdate(sendMessageUpdate, {
      args: [{ role: 'user', content: 'What is 2 + 2?' }],
    });

    const answered = result.responses.filter((r) => r.status === 'ok').map((r) => r.participantName);
    const refused = result.responses.filter((r) => r.error?.type === FailureType.BudgetExhausted);
    expect(answered).toEqual(['P1', 'P2', 'P3']);
    expect(refused.map((r) => [r.participantName, r.status])).toEqual(
      ['P4', 'P5', 'P6', 'P7', 'P8'].map((name) => [name, 'skipped']),
    );
    // The refused were never called: the LLM server saw only the three that fit.
    expect(
      chatRequests(mock)
        .map((entry) => speakerOf(entry))
        .sort(),
    ).toEqual(['P1', 'P2', 'P3']);

    expect(served).toHaveLength(chatRequests(mock).length);
    const spent = servedUsage();
    expect(result.budget).toMatchObject({
      limit: { maxCostUsd: 3.5 },
      spent: { tokens: spent.tokens },
      reserved: { tokens: 0, usd: 0 },
      exhausted: true,
      refusedCount: 5,
    });
    expect(result.budget?.spent.usd).toBeCloseTo(spent.usd, 9);
    expect(result.budget?.spent.usd).toBeLessThanOrEqual(3.5);
    expect(result.budget?.refused.map((r) => r.participant)).toEqual(['P4', 'P5', 'P6', 'P7', 'P8']);
    for (const response of result.responses.filter((r) => r.status === 'ok')) {
      expect(response.costUsd).toBeCloseTo((response.tokenUsage.outputTokens * 1000) / 1_000_000, 9);
    }
    expect((await handle.query(sessionViewQuery)).budget).toEqual(result.budget);
    // The run ends there: the session takes no more rounds.
    await expect(session.sendMessage('user', 'And 3 + 3?')).rejects.toThrow(/spent its budget/);
  });

  it('a spent token budget says to raise its tokens: it sets no money limit to raise', async () => {
    const session = await MultiParticipantSession.create(
      harness.client,
      {
        strategy: 'broadcast',
        budget: { maxTokens: 1500, onExhausted: 'stop' },
        participants: ['P1', 'P2'].map((name) => ({ name, role: 'panelist', model, maxOutputTokens: 1000 })),
      },
      { taskQueue: harness.taskQueue },
    );
    const responses = await session.sendMessage('user', 'What is 2 + 2?');
    expect(responses.map((r) => r.error?.type)).toContain(FailureType.BudgetExhausted);
    await expect(session.sendMessage('user', 'And 3 + 3?')).rejects.toThrow(
      new RegExp(`spent its budget.*\`council budget raise ${session.sessionId} --by-tokens N\``),
    );
  });

  it('a retried call is charged its reported usage plus the worst case of the failed attempt', async () => {
    const session = await MultiParticipantSession.create(
      harness.client,
      {
        strategy: 'roundRobin',
        budget: { maxCostUsd: 10, maxTokens: 100_000 },
        participants: [
          {
            name: 'Flaky',
            role: 'panelist',
            model,
            maxOutputTokens: 2000,
            retry: { maximumAttempts: 2, initialIntervalMs: 50 },
          },
          { name: 'P2', role: 'panelist', model, maxOutputTokens: 1000, retry: { maximumAttempts: 1 } },
        ],
      },
      { taskQueue: harness.taskQueue },
    );
    const handle = harness.client.workflow.getHandle(session.sessionId);
    const result: RoundResult = await handle.executeUpdate(sendMessageUpdate, {
      args: [{ role: 'user', content: 'Hello' }],
    });
    expect(result.responses.map((r) => r.status)).toEqual(['ok', 'ok']);
    expect(chatRequests(mock).map((entry) => speakerOf(entry))).toEqual(['Flaky', 'Flaky', 'P2']);
    const flaky = result.responses[0]!;
    // The 500 attempt's usage is unknown: it is charged its worst case, 2000 output tokens = $2.
    expect(flaky.costUsd).toBeCloseTo(2 + (9 * 1000) / 1_000_000, 9);
    // Three requests in the journal, two answers with usage (the first was a 500).
    expect(served).toHaveLength(2);
    const journal = servedUsage();
    expect(result.budget?.spent.usd).toBeGreaterThanOrEqual(journal.usd);
    expect(result.budget?.spent.usd).toBeCloseTo(journal.usd + 2, 9);
    expect(result.budget).toMatchObject({
      reserved: { tokens: 0, usd: 0 },
      exhausted: false,
      refusedCount: 0,
    });
    await session.close();
  });

  it('refuses a config whose model has no price under a money budget, before starting anything', async () => {
    await expect(
      MultiParticipantSession.create(
        harness.client,
        {
          strategy: 'broadcast',
          budget: { maxCostUsd: 1 },
          participants: [
            {
              name: 'A',
              role: 'panelist',
              model: { provider: 'openai', model: 'my-finetune' },
              maxOutputTokens: 10,
            },
          ],
        },
        { taskQueue: harness.taskQueue },
      ),
    ).rejects.toThrow(/my-finetune has no known price/);
  });
});
