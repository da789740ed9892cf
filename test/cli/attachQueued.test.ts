import { readFileSync } from 'node:fs';
import { Client, Connection, WorkflowUpdateStage } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { MultiParticipantSession } from '../../client/api/session';
import { sendMessageUpdate } from '../../common/sessionApi';
import { sessionConfigSchema } from '../../common/sessionInputs';
import { useParticipantMock } from '../helpers/mockLlm';
import { quietRuntime, testEnvironment, uniqueTaskQueue } from '../helpers/testEnv';
import {
  cliEnv,
  expectSuccess,
  mockProviderEnv,
  panelConfig,
  runCli,
  stopStartedClis,
  TEST_ENV,
} from './cli';

// A CLI start with its worker on a busy 2-core machine takes seconds.
jest.setTimeout(180_000);
afterAll(stopStartedClis);

describe('attach to a session whose next round is asked for but has not begun', () => {
  const llm = useParticipantMock();

  it('waits for that round and prints its answers (it left at once, saying no round had been played)', async () => {
    quietRuntime();
    const taskQueue = uniqueTaskQueue('attach-queued');
    const connection = await Connection.connect({ address: TEST_ENV.address });
    const client = new Client({ connection, namespace: TEST_ENV.namespace });
    const workerConnection = await NativeConnection.connect({ address: TEST_ENV.address });
    // Workflows only: the round is accepted, then waits for the session's start check, an activity
    // no worker serves until attach brings its own.
    const worker = await Worker.create({
      connection: workerConnection,
      namespace: TEST_ENV.namespace,
      taskQueue,
      workflowBundle: { code: readFileSync(testEnvironment().bundlePath, 'utf8') },
      shutdownGraceTime: '1s',
    });
    const workerRun = worker.run();
    const id = `attach-queued-${process.pid}`;
    try {
      await MultiParticipantSession.create(client, sessionConfigSchema.parse(panelConfig()), {
        sessionId: id,
        taskQueue,
      });
      const asked = await client.workflow.getHandle(id).startUpdate(sendMessageUpdate, {
        args: [{ role: 'user', content: 'Who answers first?' }],
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      });

      const env = cliEnv({ TEMPORAL_ADDRESS: TEST_ENV.address, ...mockProviderEnv(llm.mock) });
      const attached = await runCli(['attach', id, '--worker'], env);
      expectSuccess(attached);
      expect(attached.stdout).not.toContain('No round has been played yet');
      expect(attached.stdout).toContain('Round 1 is asked for and waits to begin');
      expect(attached.stdout).toMatch(/Expert-1 \(panelist\)\nExpert-1: answer/);
      expect(attached.stdout).toMatch(/Expert-2 \(panelist\)\nExpert-2: answer/);
      const { responses } = await asked.result();
      expect(responses.map((response) => [response.participantName, response.status])).toEqual([
        ['Expert-1', 'ok'],
        ['Expert-2', 'ok'],
      ]);
    } finally {
      await client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined);
      worker.shutdown();
      await workerRun;
      await workerConnection.close();
      await connection.close();
    }
  });
});
