import type { LLMock } from '@copilotkit/aimock';
import { newScheduledRun } from '../helpers/scheduledRuns';
import { createLlmActivities } from '../../activities';
import type { CouncilWorkflowResult } from '../../common/council';
import { FailureType } from '../../common/failures';
import { answerAsParticipants, chatRequests, mockClients, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { clusterEnv, councilConfig, runCli, stopStartedClis, writeConfig } from '../cli/cli';

// Each case spawns the CLI: minutes on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

describe('`schedule create -c` of a council config with a periodBudget', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;

  beforeAll(async () => {
    mock = await startMockLlm();
    answerAsParticipants(mock);
    harness = await startHarness('period-council', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });

  /** Triggers the schedule once and waits for the run it started to end. */
  async function triggeredRun(scheduleId: string, env: Record<string, string>, seen: string[]) {
    // Whole: a trigger whose run never shows says what the schedule did, on stdout.
    expect(await runCli(['schedule', 'trigger', scheduleId], env)).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(`^Triggered schedule ${scheduleId}: run `),
    });
    // By the schedule that started it: a prefix of the id also matched other files' workflows
    // (periodCouncil.e2e names its runs period-council-PID-…), when jest ran both in one process.
    const fresh = await newScheduledRun(harness.client, scheduleId, seen);
    seen.push(fresh);
    return (await harness.client.workflow.getHandle(fresh).result()) as CouncilWorkflowResult;
  }

  it('two triggered councils share the day: the second is granted the remainder and its synthesis is refused; describe shows the ledger', async () => {
    const env = clusterEnv('period-council', { COUNCIL_TASK_QUEUE: harness.taskQueue });
    // Every call (5 output tokens at $10000/MTok) reserves and costs $0.05: one expert and the
    // synthesis spend $0.10 of a run's $0.11; the day's $0.15 leaves the second run $0.05, one call.
    const model = {
      provider: 'openai',
      model: 'gpt-4o-mini',
      price: { inputPerMTok: 0, outputPerMTok: 10_000 },
    };
    const bounded = { model, maxOutputTokens: 5, retry: { maximumAttempts: 1 } };
    const config = writeConfig(
      'period-council.json',
      councilConfig({
        activeExperts: [{ id: 'a', name: 'Ada', ...bounded }],
        synthesisConfig: { name: 'Synthesizer', ...bounded },
        budget: { maxCostUsd: 0.11 },
        periodBudget: { period: 'day', maxCostUsd: 0.15 },
      }),
    );
    const scheduleId = `period-council-${process.pid}`;
    const create = await runCli(['schedule', 'create', scheduleId, '-c', config, '--every', '7d'], env);
    expect(create).toMatchObject({ code: 0, stderr: '' });

    const seen: string[] = [];
    const first = await triggeredRun(scheduleId, env, seen);
    expect(first.budget).toMatchObject({ limit: { maxCostUsd: 0.11 }, exhausted: false });
    expect(first.budget?.spent.usd).toBeCloseTo(0.1, 9);
    expect(first.synthesis).toMatchObject({ status: 'done' });
    expect(chatRequests(mock)).toHaveLength(2);

    const second = await triggeredRun(scheduleId, env, seen);
    expect(second.budget).toMatchObject({ limit: { maxCostUsd: 0.05 }, exhausted: true, refusedCount: 1 });
    expect(second.outputs.a).toMatchObject({ status: 'done' });
    expect(second.synthesis).toMatchObject({
      status: 'failed',
      error: { type: FailureType.BudgetExhausted },
    });
    // One call more, Ada's: the synthesis was never sent.
    expect(chatRequests(mock).map(speakerOf).slice(2)).toEqual(['Ada']);

    const described = await runCli(['schedule', 'describe', scheduleId, '--json'], env);
    expect(described.code).toBe(0);
    const ledger = JSON.parse(described.stdout).periodBudget;
    expect(ledger).toMatchObject({ period: 'day', limit: { maxCostUsd: 0.15 }, running: 0 });
    // Run one returned the $0.01 it did not spend; run two spent all of its $0.05.
    expect(ledger.committed.usd).toBeCloseTo(0.15, 9);
    expect(ledger.left.maxCostUsd).toBeCloseTo(0, 9);
    const text = await runCli(['schedule', 'describe', scheduleId], env);
    expect(text.stdout).toMatch(
      /period +day .*: \$0\.150000 committed, \$0\.000000 left \(0 run\(s\) holding a grant\)/,
    );
    expect((await runCli(['schedule', 'delete', scheduleId], env)).code).toBe(0);
  });
});
