import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import type { SessionView } from '../../common/session';
import { answerAsParticipants, chatRequests, mockClients, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { waitFor } from '../helpers/wait';
import { clusterEnv, runCli, stopStartedClis, writeConfig } from '../cli/cli';

// Each case spawns the CLI: minutes on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

describe('`schedule create -c` of a config with a periodBudget', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;

  beforeAll(async () => {
    mock = await startMockLlm();
    answerAsParticipants(mock);
    harness = await startHarness('period-schedule', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });

  it('two triggered runs share the day: the second gets the remainder, and describe shows spend and what is left', async () => {
    const env = clusterEnv('period-schedule', { COUNCIL_TASK_QUEUE: harness.taskQueue });
    // An answer (5 output tokens at $10000/MTok) costs, and a call reserves, $0.05; the day has $0.075.
    const config = writeConfig('period-schedule.json', {
      strategy: 'broadcast',
      budget: { maxCostUsd: 0.06 },
      periodBudget: { period: 'day', maxCostUsd: 0.075 },
      participants: [
        {
          name: 'A',
          role: 'panelist',
          model: {
            provider: 'openai',
            model: 'gpt-4o-mini',
            price: { inputPerMTok: 0, outputPerMTok: 10_000 },
          },
          maxOutputTokens: 5,
          retry: { maximumAttempts: 1 },
        },
      ],
    });
    const scheduleId = `period-schedule-${process.pid}`;
    const create = await runCli(
      ['schedule', 'create', scheduleId, 'Daily?', '-c', config, '--every', '7d'],
      env,
    );
    expect(create).toMatchObject({ code: 0, stderr: '' });

    const views: SessionView[] = [];
    const seen: string[] = [];
    for (let run = 1; run <= 2; run += 1) {
      expect((await runCli(['schedule', 'trigger', scheduleId], env)).code).toBe(0);
      let runIds: string[] = [];
      await waitFor(
        `triggered run ${run} to be listed`,
        async () => {
          runIds = [];
          for await (const info of harness.client.workflow.list({
            query: `TemporalScheduledById = '${scheduleId}'`,
          }))
            runIds.push(info.workflowId);
          return runIds.length === run;
        },
        120_000,
        500,
      );
      const fresh = runIds.find((id) => !seen.includes(id)) ?? '';
      seen.push(fresh);
      views.push((await harness.client.workflow.getHandle(fresh).result()) as SessionView);
    }
    expect(views.map((view) => view.budget?.limit.maxCostUsd)).toEqual([0.06, 0.025]);
    expect(views[1]?.budget).toMatchObject({ exhausted: true, refusedCount: 1 });
    expect(chatRequests(mock)).toHaveLength(1);

    const described = await runCli(['schedule', 'describe', scheduleId, '--json'], env);
    expect(described.code).toBe(0);
    expect(JSON.parse(described.stdout).periodBudget).toMatchObject({
      period: 'day',
      limit: { maxCostUsd: 0.075 },
      committed: { usd: 0.05 },
      left: { maxCostUsd: 0.025 },
      running: 0,
    });
    const text = await runCli(['schedule', 'describe', scheduleId], env);
    expect(text.stdout).toMatch(
      /period +day .*: \$0\.050000 committed, \$0\.025000 left \(0 run\(s\) holding a grant\)/,
    );
    expect((await runCli(['schedule', 'delete', scheduleId], env)).code).toBe(0);
  });
});
