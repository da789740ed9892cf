import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CouncilStatusKey } from '../../common/searchAttributes';
import { useDurableEnvironment } from './support/environment';
import { completedCalls } from './support/llm';
import { cleanEnv, spawnManaged, startWorkerProcess, waitFor } from './support/processes';
import { panelist } from './support/temporal';

const QUESTION = 'Which risks matter most?';

describe('the CLI SIGKILLed while it waits for a run, and nobody attaches', () => {
  // The calls are held at the model until the test lets them answer: in flight for as long as needed.
  const environment = useDurableEnvironment({ latencyMs: 200, hold: () => true });

  it('the session still closes itself once its round ends', async () => {
    const { mock, answerer, server, client } = environment;
    const taskQueue = 'durability-cli-kill-close';
    const worker = startWorkerProcess({
      address: server.address,
      taskQueue,
      llmUrl: mock.url,
      tag: 'worker-1',
    });
    await worker.ready;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'council-durability-cli-close-'));
    const config = path.join(dir, 'panel.json');
    writeFileSync(
      config,
      JSON.stringify({ strategy: 'broadcast', participants: [panelist('P1'), panelist('P2')] }),
    );
    const env = cleanEnv({
      TEMPORAL_ADDRESS: server.address,
      COUNCIL_TASK_QUEUE: taskQueue,
      COUNCIL_DATA_DIR: dir,
    });
    const id = 'durability-cli-run-close';
    const run = spawnManaged(
      'council run',
      ['client/cli/main.ts', 'run', QUESTION, '--config', config, '--id', id],
      env,
    );
    await waitFor(
      'the run to be waiting on its answers',
      () => run.stdout().includes(`Started session ${id}`) && answerer.held.length === 2,
      60_000,
    );
    await run.kill();
    expect((await run.exited).signal).toBe('SIGKILL');
    expect(completedCalls(mock)).toHaveLength(0);

    answerer.release();
    const handle = client.workflow.getHandle(id);
    // No CLI is left to close it: the workflow ends by itself when the round does.
    await waitFor(
      'the session to complete',
      async () => (await handle.describe()).status.name !== 'RUNNING',
      30_000,
    );
    const description = await handle.describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.typedSearchAttributes.get(CouncilStatusKey)).toBe('closed');
    const view = (await handle.result()) as { round: number; closed: boolean };
    expect(view).toMatchObject({ round: 1, closed: true });
    expect(
      completedCalls(mock)
        .map((call) => call.speaker)
        .sort(),
    ).toEqual(['P1', 'P2']);
  }, 180_000);
});
