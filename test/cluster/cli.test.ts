/**
 * The council CLI pointed at the cluster with TEMPORAL_ADDRESS, as a user on a self-hosted cluster
 * runs it: `council run` served by a cluster worker, a simulated run with its own in-process worker,
 * and a schedule that fires on the cluster's own timer.
 */
import type { LLMock } from '@copilotkit/aimock';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { SIMULATED_BANNER } from '../../client/cli/simulated';
import {
  CouncilCostUsdKey,
  CouncilKindKey,
  CouncilStatusKey,
  CouncilStrategyKey,
} from '../../common/searchAttributes';
import { completedCalls, startMock } from '../durability/support/llm';
import {
  cleanEnv,
  killAllProcesses,
  seededDataDir,
  spawnManaged,
  waitFor,
} from '../durability/support/processes';
import { useCluster } from './support/cluster';
import { activityPollers } from './support/history';
import { gatedAnswers } from './support/llm';
import { startClusterWorker } from './support/workers';

const QUEUE = 'cluster-cli';

describe('the council CLI on the cluster', () => {
  const cluster = useCluster();
  let mock: LLMock;

  beforeAll(async () => {
    mock = await startMock();
    gatedAnswers(mock, 200, () => false);
    const worker = startClusterWorker(cluster, { llmUrl: mock.url, tag: 'c1', taskQueue: QUEUE });
    await worker.ready;
    await waitFor(
      'the worker to poll',
      async () => (await activityPollers(cluster.client, QUEUE)).length > 0,
      60_000,
    );
  }, 120_000);
  afterAll(async () => {
    await killAllProcesses();
    await mock?.stop();
  });

  /** Runs `council <args>` with the cluster's address, queue and blob store; no provider keys. */
  async function council(args: string[]) {
    const env = cleanEnv({
      TEMPORAL_ADDRESS: cluster.address,
      COUNCIL_TASK_QUEUE: QUEUE,
      COUNCIL_DATA_DIR: seededDataDir(),
      ...cluster.blobEnv,
    });
    const cli = spawnManaged(`council ${args[0]}`, ['client/cli/main.ts', ...args], env);
    const { code } = await cli.exited;
    return { code, stdout: cli.stdout(), output: cli.output() };
  }

  it("the setup job registered council's search attributes in the namespace", async () => {
    const { customAttributes } = await cluster.client.connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    for (const key of [CouncilStatusKey, CouncilStrategyKey, CouncilKindKey, CouncilCostUsdKey]) {
      expect([key.name, customAttributes?.[key.name]]).toEqual([
        key.name,
        encodeSearchAttributeIndexedValueType(key.type),
      ]);
    }
  });

  it('`council run` completes a council on the cluster, its calls made by the cluster worker', async () => {
    const run = await council(['run', '-c', 'examples/council-parallel.yaml']);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/Synthesizer/);
    expect(run.stdout).not.toContain(SIMULATED_BANNER);
    const calls = completedCalls(mock);
    expect(calls.length).toBe(4); // three experts and the synthesizer
    // The openai calls name their worker (OpenAI-Organization); the Anthropic one has no such header.
    const openai = calls.filter((call) => call.entry.path.includes('/chat/completions'));
    expect(openai.length).toBe(3);
    expect(new Set(openai.map((call) => call.worker))).toEqual(new Set(['c1']));
  });

  it('`council run --worker --simulate` runs simulated experts on the cluster with its own worker', async () => {
    const before = completedCalls(mock).length;
    const run = await council(['run', '--worker', '--simulate', '-c', 'examples/round-robin.yaml']);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toContain(SIMULATED_BANNER);
    expect(completedCalls(mock).length).toBe(before);
  });

  it('a schedule fires on the cluster: two runs complete on their own, then it is deleted', async () => {
    const id = 'cluster-schedule';
    const create = await council([
      'schedule',
      'create',
      id,
      '-c',
      'examples/council-parallel.yaml',
      '--every',
      '2s',
    ]);
    expect(create).toMatchObject({ code: 0 });
    const schedule = cluster.client.schedule.getHandle(id);
    const completed = async () => {
      const actions = (await schedule.describe()).info.recentActions;
      const statuses = await Promise.all(
        actions.map(
          async (action) =>
            (await cluster.client.workflow.getHandle(action.action.workflow.workflowId).describe()).status
              .name,
        ),
      );
      return statuses.filter((status) => status === 'COMPLETED').length;
    };
    await waitFor('two scheduled runs to complete', async () => (await completed()) >= 2, 120_000, 500);
    const described = await schedule.describe();
    expect(
      described.info.recentActions.every((action) => action.action.workflow.workflowId.startsWith(`${id}-`)),
    ).toBe(true);
    expect(await council(['schedule', 'delete', id])).toMatchObject({ code: 0 });
    await expect(schedule.describe()).rejects.toThrow();
  });
});
