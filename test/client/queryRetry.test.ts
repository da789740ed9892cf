import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createLlmActivities } from '../../activities';
import { queryRetryInterceptor } from '../../client/runtime/queryRetry';
import { MultiParticipantSession } from '../../client/api/session';
import { sessionViewQuery } from '../../common/sessionApi';
import { createCouncilWorker } from '../../workers/worker';
import { startHarness, testEnvironment, type TemporalTestHarness } from '../helpers/testEnv';

// Workers come and go for ~20 s while queries run; minutes on a loaded 2-core machine.
jest.setTimeout(300_000);

const WORKER_LIFETIMES = 14;

/**
 * What every CLI command does to a shared task queue: it starts a worker, serves its own workflow,
 * and shuts the worker down. A query the server hands to a worker whose poll is being cancelled
 * comes back as CANCELLED ("context canceled"); `council session attach` failed on it in CI.
 */
describe('queries while workers on their task queue start and stop', () => {
  let harness: TemporalTestHarness;

  beforeAll(async () => {
    harness = await startHarness('query-churn', createLlmActivities({}));
  });
  afterAll(async () => {
    // The test stops the harness's worker itself: its first worker must not outlive the session's start.
    await harness?.close().catch(() => undefined);
  });

  it('are answered every time by a client with the retry interceptor', async () => {
    const session = await MultiParticipantSession.create(
      harness.client,
      { systemPrompt: 'Queried while workers churn', strategy: 'broadcast' },
      { taskQueue: harness.taskQueue },
    );
    await session.view();
    harness.worker.shutdown();
    await harness.workerRun;

    const env = testEnvironment();
    const connection = await Connection.connect({ address: env.address });
    const retrying = new Client({
      connection,
      namespace: env.namespace,
      interceptors: { workflow: [queryRetryInterceptor(connection)] },
    });
    const handle = retrying.workflow.getHandle(session.sessionId);
    let churning = true;
    const failures: string[] = [];
    let answered = 0;
    const askers = [0, 1, 2].map(async () => {
      while (churning) {
        const startedMs = Date.now();
        await handle.query(sessionViewQuery).then(
          () => (answered += 1),
          (error: unknown) =>
            failures.push(`${String((error as Error).cause ?? error)} after ${Date.now() - startedMs} ms`),
        );
      }
    });

    const workerConnection = await NativeConnection.connect({ address: env.address });
    const bundle = { code: readFileSync(env.bundlePath, 'utf8') };
    for (let lifetime = 0; lifetime < WORKER_LIFETIMES; lifetime += 1) {
      const worker = await createCouncilWorker({
        connection: workerConnection,
        namespace: env.namespace,
        taskQueue: harness.taskQueue,
        activities: createLlmActivities({}),
        workflowBundle: bundle,
        shutdownGraceTime: '1s',
      });
      await worker.runUntil(new Promise((resolve) => setTimeout(resolve, 300 + 100 * (lifetime % 4))));
    }
    // One last worker stays until the askers see it, so none waits on a queue nobody polls.
    const last = await createCouncilWorker({
      connection: workerConnection,
      namespace: env.namespace,
      taskQueue: harness.taskQueue,
      activities: createLlmActivities({}),
      workflowBundle: bundle,
    });
    await last.runUntil(async () => {
      churning = false;
      await Promise.all(askers);
    });
    await workerConnection.close();
    await connection.close();

    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(WORKER_LIFETIMES);
  });
});
