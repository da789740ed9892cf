import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { CouncilCostUsdKey } from '../../common/searchAttributes';
import type { SessionView } from '../../common/session';
import { answerAsParticipants, chatRequests, mockClients, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { newScheduledRun } from '../helpers/scheduledRuns';
import { clusterEnv, runCli, stopStartedClis, writeConfig } from '../cli/cli';

// Each case spawns the CLI: minutes on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

describe('a budget on a schedule: each run has its own', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;

  beforeAll(async () => {
    mock = await startMockLlm();
    answerAsParticipants(mock);
    // The worker that serves scheduled runs, as `council worker` would on a cluster.
    harness = await startHarness('budget-schedule', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });

  it('`schedule create -c` of a budgeted config: a triggered run refuses what does not fit and publishes its cost', async () => {
    const env = clusterEnv('budget-schedule', { COUNCIL_TASK_QUEUE: harness.taskQueue });
    // Three $1 worst cases ($1000/MTok output, 1000 tokens, one attempt) under $2.5: C is refused.
    const config = writeConfig('budget-schedule.json', {
      strategy: 'broadcast',
      budget: { maxCostUsd: 2.5 },
      participants: ['A', 'B', 'C'].map((name) => ({
        name,
        role: 'panelist',
        model: { provider: 'openai', model: 'gpt-4o-mini', price: { inputPerMTok: 0, outputPerMTok: 1000 } },
        maxOutputTokens: 1000,
        retry: { maximumAttempts: 1 },
      })),
    });
    const scheduleId = `budget-schedule-${process.pid}`;
    const create = await runCli(
      ['schedule', 'create', scheduleId, 'Weekly?', '-c', config, '--every', '7d'],
      env,
    );
    expect(create).toMatchObject({ code: 0, stderr: '' });
    expect((await runCli(['schedule', 'trigger', scheduleId], env)).code).toBe(0);

    const runId = await newScheduledRun(harness.client, scheduleId);
    const view = (await harness.client.workflow.getHandle(runId).result()) as SessionView;
    expect(view.budget).toMatchObject({ limit: { maxCostUsd: 2.5 }, exhausted: true, refusedCount: 1 });
    expect(view.budget?.refused.map((call) => call.participant)).toEqual(['C']);
    expect(chatRequests(mock).map(speakerOf).sort()).toEqual(['A', 'B']);
    // aimock answers with usage 10 in / 5 out: two answers, 10 output tokens at $1000/MTok.
    expect(view.budget?.spent.usd).toBeCloseTo(0.01, 9);
    const description = await harness.client.workflow.getHandle(runId).describe();
    expect(description.typedSearchAttributes.get(CouncilCostUsdKey)).toBeCloseTo(0.01, 9);
    expect((await runCli(['schedule', 'delete', scheduleId], env)).code).toBe(0);
  });
});
