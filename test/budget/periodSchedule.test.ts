import { readFileSync } from 'node:fs';
import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import type { SessionView } from '../../common/session';
import { answerAsParticipants, chatRequests, mockClients, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { newScheduledRun } from '../helpers/scheduledRuns';
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
      // Whole: a trigger whose run never shows says what the schedule did, on stdout.
      expect(await runCli(['schedule', 'trigger', scheduleId], env)).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(`^Triggered schedule ${scheduleId}: run `),
      });
      const fresh = await newScheduledRun(harness.client, scheduleId, seen);
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

    // The deleted schedule's keeper ran on, and a new schedule under the same id took its ledger:
    // its runs were granted what was left of the old day, under a limit its config never set.
    const keeper = harness.client.workflow.getHandle(`budget-keeper-${scheduleId}`);
    expect((await keeper.describe()).status.name).toBe('TERMINATED');
    const weekly = writeConfig('period-schedule-weekly.json', {
      ...JSON.parse(readFileSync(config, 'utf8')),
      periodBudget: { period: 'week', maxCostUsd: 1 },
    });
    const again = await runCli(
      ['schedule', 'create', scheduleId, 'Weekly?', '-c', weekly, '--every', '7d'],
      env,
    );
    expect(again).toMatchObject({ code: 0, stderr: '' });
    // Whole: a trigger whose run never shows says what the schedule did, on stdout.
    expect(await runCli(['schedule', 'trigger', scheduleId], env)).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(`^Triggered schedule ${scheduleId}: run `),
    });
    const third = await newScheduledRun(harness.client, scheduleId, seen);
    const view = (await harness.client.workflow.getHandle(third).result()) as SessionView;
    expect(view.budget?.limit.maxCostUsd).toBe(0.06);
    const weekLedger = await runCli(['schedule', 'describe', scheduleId, '--json'], env);
    expect(JSON.parse(weekLedger.stdout).periodBudget).toMatchObject({
      period: 'week',
      limit: { maxCostUsd: 1 },
      committed: { usd: 0.05 },
    });
    // Deleted another way (here the SDK), the schedule leaves its keeper: a new one retires it.
    await harness.client.schedule.getHandle(scheduleId).delete();
    expect((await keeper.describe()).status.name).toBe('RUNNING');
    expect(
      (await runCli(['schedule', 'create', scheduleId, 'Again?', '-c', config, '--every', '7d'], env)).code,
    ).toBe(0);
    expect((await keeper.describe()).status.name).toBe('TERMINATED');
    expect((await runCli(['schedule', 'delete', scheduleId], env)).code).toBe(0);
  });
});
